import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from "node:crypto";

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

/**
 * A customer's id sealed for the links a viewer is given, so that the id cannot be read from a
 * URL, a status bar or the browser's history: AES-256-GCM under a key derived from the
 * dashboard's own secret. The nonce is derived from the id, so one customer always gets the same
 * link; the authentication tag means a reference no one sealed never opens.
 */
export class CustomerRefs {
  private readonly key: Buffer;
  private readonly nonceKey: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error("the dashboard secret must be at least 16 characters");
    this.key = Buffer.from(hkdfSync("sha256", secret, "", "fraud customer ref key", 32));
    this.nonceKey = Buffer.from(hkdfSync("sha256", secret, "", "fraud customer ref nonce", 32));
  }

  seal(userId: string): string {
    const nonce = createHmac("sha256", this.nonceKey).update(userId).digest().subarray(0, 12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    const sealed = Buffer.concat([cipher.update(userId, "utf8"), cipher.final()]);
    return Buffer.concat([nonce, sealed, cipher.getAuthTag()]).toString("base64url");
  }

  /** The id a reference was sealed from, or undefined for anything else (an id typed by hand, a forged reference). */
  open(ref: string): string | undefined {
    if (!/^[A-Za-z0-9_-]{38,}$/.test(ref)) return undefined;
    const bytes = Buffer.from(ref, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", this.key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString("utf8");
    } catch (e) {
      // A tag that does not verify is what an unsealed or altered reference looks like.
      if (e instanceof Error && /authenticate/.test(e.message)) return undefined;
      throw e;
    }
  }
}
