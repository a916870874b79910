import type { RulesetContentInput } from "./ruleset.ts";

/**
 * The card ruleset: a scorecard. Each rule is one signal worth a few points; no single signal
 * reviews a payment, two independent ones do (review at 50), three or more block (80). Half the
 * signals come from the customer's own history (usual amount overall and per merchant category,
 * usual hours, attempts the engine already held); the others are absolute, for cards with no
 * history yet. Amounts are in the card's currency. Every rule, its reasoning and its measured
 * hits, and the whole trade-off curve, are in docs/detection.md.
 */
const NIGHT = "(hour_of_day >= 22.0 || hour_of_day < 4.0)";

export const CARD_RULESET: RulesetContentInput = {
  thresholds: { review: 50, block: 80 },
  fallback_decision: "REVIEW",
  rules: [
    {
      id: "NIGHT",
      name: "Night-time payment",
      description: "Between 22:00 and 04:00 on the cardholder's clock: stolen cards are used while their owners sleep.",
      expression: NIGHT,
      score: 20,
    },
    {
      id: "LARGE_AMOUNT",
      name: "Large card payment",
      description: "200 or more: more than 95 % of card payments are smaller. A fraudster spends what the card allows.",
      expression: "amount >= 200.0",
      score: 30,
    },
    {
      id: "VERY_LARGE_AMOUNT",
      name: "Very large card payment",
      description: "600 or more (adds to LARGE_AMOUNT). Legitimate travel and electronics reach this too, so it needs another signal.",
      expression: "amount >= 600.0",
      score: 15,
    },
    {
      id: "FAR_ABOVE_USUAL",
      name: "Far above the customer's usual",
      description: "At least 5 times the customer's 30-day average, when there are at least 3 approved payments in 30 days to compare with.",
      expression: "tx_count_30d >= 3.0 && amount_to_avg_ratio != null && amount_to_avg_ratio >= 5.0",
      score: 20,
    },
    {
      id: "FAR_ABOVE_USUAL_HERE",
      name: "Far above the customer's usual at this kind of merchant",
      description: "At least 3 times the customer's average at this merchant category, with 3 or more approved payments there.",
      expression: "amount_to_category_avg != null && amount_to_category_avg >= 3.0",
      score: 20,
    },
    {
      id: "AFTER_HELD_ATTEMPT",
      name: "Card held in the last 24 hours",
      description: "An earlier attempt on this card in the last 24 hours went to review or was blocked. Weak alone: that hold may have been a false alarm.",
      expression: "tx_flagged_24h >= 1.0",
      score: 15,
    },
    {
      id: "HELD_REPEATEDLY",
      name: "Card held twice or more in the last 24 hours",
      description: "Two or more attempts held in 24 hours (adds to AFTER_HELD_ATTEMPT): a card being worked by a fraudster, not one false alarm.",
      expression: "tx_flagged_24h >= 2.0",
      score: 20,
    },
    {
      id: "TEST_PAYMENT_AFTER_HELD",
      name: "Small payment on a card held in the last 24 hours",
      description: "Under 20 on a card with a held attempt in the last 24 hours: fraudsters test a card with small payments around the big ones.",
      expression: "tx_flagged_24h >= 1.0 && amount < 20.0",
      score: 15,
    },
    {
      id: "UNUSUAL_HOUR",
      name: "Hour unusual for this customer",
      description: "Fewer than 5 % of the customer's approved payments (10 or more) were made within an hour of this time of day.",
      expression: "hour_share != null && hour_share < 0.05",
      score: 10,
    },
    {
      id: "BURST",
      name: "Burst of payments",
      description: "3 or more payments on the card in the hour before this one.",
      expression: "tx_count_1h >= 3.0",
      score: 10,
    },
  ],
};
