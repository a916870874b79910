import type { RulesetContentInput } from "./ruleset.ts";

/**
 * The lab's rules, each implemented for real. Amounts are in the units of the lab's data.
 * The first six come from the lab's scoring code, the next two from its rules table (which the
 * lab's code never read), and the last is ours: see docs/rules.md for the reasoning.
 */
export const DEMO_RULESET: RulesetContentInput = {
  thresholds: { review: 50, block: 80 },
  fallback_decision: "REVIEW",
  rules: [
    {
      id: "HIGH_AMOUNT_VS_HISTORY",
      name: "Amount far above the customer's usual",
      description: "More than 5 times the customer's 30-day average amount.",
      expression: "avg_amount_30d > 0.0 && amount > 5.0 * avg_amount_30d",
      score: 80,
    },
    {
      id: "VERY_HIGH_AMOUNT",
      name: "Very high amount",
      description: "Amount above 5,000.",
      expression: "amount > 5000.0",
      score: 60,
    },
    {
      id: "NEW_ACCOUNT",
      name: "New account",
      description: "Account opened less than 7 days before the transaction.",
      expression: "account_age_days < 7.0",
      score: 40,
    },
    {
      id: "DEVICE_CHANGE",
      name: "Device change",
      description: "Device differs from the one the customer used last.",
      expression: "device_changed",
      score: 40,
    },
    {
      id: "HIGH_FREQUENCY",
      name: "High frequency",
      description: "More than 50 transactions in the last 30 days.",
      expression: "tx_count_30d > 50.0",
      score: 30,
    },
    {
      id: "HIGH_RISK_CUSTOMER",
      name: "High-risk customer",
      description: "The customer's risk level is HIGH.",
      expression: 'risk_level == "HIGH"',
      score: 50,
    },
    {
      id: "RAPID_SUCCESSION",
      name: "Transactions in rapid succession",
      description: "Less than 60 seconds since the customer's previous transaction.",
      expression: "seconds_since_last_tx != null && seconds_since_last_tx < 60.0",
      score: 60,
    },
    {
      id: "LOCATION_CHANGE",
      name: "Unusual location",
      description: "More than 500 km from the customer's last known location.",
      expression: "distance_km != null && distance_km > 500.0",
      score: 70,
    },
    {
      id: "NEW_DEVICE_LARGE_AMOUNT",
      name: "Large amount from a never-seen device",
      description:
        "A device this customer has never used, for at least 3 times their 30-day average (or any amount when they have no recent history): the account-takeover cash-out pattern. Together with DEVICE_CHANGE it sends the transaction to review.",
      expression: "device_is_new && amount >= 3.0 * avg_amount_30d",
      score: 30,
    },
  ],
};
