/*
 * Personal data in text: email addresses and phone numbers (mobile-money customers are often
 * known by their phone number, so a user id can be one). Masked for viewers in the dashboard and
 * for everyone in server logs; the store keeps them as they are.
 */

const EMAIL = /([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,})/g;

/**
 * 9 to 15 digits (E.164 allows 15), with an optional leading + and spaces, dashes or brackets
 * between them. Without a +, not inside a longer token: ids like `user_2376...` or `tx-2376...`,
 * UUIDs, decimals, dates and times (`2025-06-01 10:00`) and IP addresses are left alone.
 */
const DIGITS = String.raw`\(?\d(?:[ \-()]{0,2}\d){8,14}`;
const PHONE = new RegExp(String.raw`(?<![\w+.:/])\+${DIGITS}(?![\w.:/])|(?<![\w+\-.:/])${DIGITS}(?![\w\-.:/])`, "g");

/** Text with every email address and phone number masked: `j***@example.com`, `+*********01`. */
export function maskPersonalData(text: string): string {
  return text.replace(EMAIL, "$1***@$2").replace(PHONE, (phone) => {
    const digits = phone.replace(/\D/g, "");
    return `${phone.startsWith("+") ? "+" : ""}${"*".repeat(digits.length - 2)}${digits.slice(-2)}`;
  });
}
