import type { RulesetContentInput } from "./ruleset.ts";

/**
 * The mobile-money ruleset: account takeover and mule typologies of wallet payments, written from
 * the typology, not fitted to a file. Every rule is explained in docs/detection.md with its
 * measured hits. Amounts are in the wallet's currency; LIMIT is the product's largest allowed
 * single transfer (PaySim's is 10,000,000): set it to your own product's limit.
 */
const LIMIT = "10000000.0";
const MONEY_OUT = 'tx_type in ["TRANSFER", "CASH_OUT"]';

export const MOBILE_MONEY_RULESET: RulesetContentInput = {
  thresholds: { review: 50, block: 80 },
  fallback_decision: "REVIEW",
  rules: [
    {
      id: "ACCOUNT_EMPTIED",
      name: "Whole balance sent out",
      description:
        "A transfer or cash-out of exactly the sender's balance (to the cent): whoever holds the account takes everything there is. " +
        "People rarely move their exact balance; a fraudster who took over a wallet always does. An amount above the balance is not this: it is refused or overdrawn by the provider, and moves nothing extra.",
      expression: `${MONEY_OUT} && balance_before != null && balance_before > 0.0 && amount >= balance_before - 0.01 && amount <= balance_before + 0.01`,
      score: 80,
    },
    {
      id: "LIMIT_SIZED_TRANSFER",
      name: "Largest transfer allowed, out of a larger balance",
      description: `A transfer or cash-out of the product's per-transaction limit (${LIMIT}) or more, covered by the balance: when a balance is larger than one transaction allows, the fraudster takes the limit, again and again.`,
      expression: `${MONEY_OUT} && amount >= ${LIMIT} && balance_before != null && balance_before >= amount`,
      score: 80,
    },
    {
      id: "CASH_OUT_AFTER_NEW_PAYEE",
      name: "Cash-out soon after a transfer to someone new",
      description:
        "A cash-out within 24 hours of a transfer to a counterparty the customer had never sent to: the layering step of a takeover (move money to a fresh account, then take it out as cash).",
      expression: 'tx_type == "CASH_OUT" && seconds_since_new_counterparty_transfer != null && seconds_since_new_counterparty_transfer < 86400.0',
      score: 50,
    },
    {
      id: "FAR_ABOVE_USUAL",
      name: "Money out far above the customer's usual",
      description:
        "A transfer or cash-out of at least 10 times the customer's 30-day average, for a customer with at least 5 approved transactions in 30 days (a usual amount to compare with).",
      expression: `${MONEY_OUT} && tx_count_30d >= 5.0 && amount_to_avg_ratio != null && amount_to_avg_ratio >= 10.0`,
      score: 50,
    },
    {
      id: "MONEY_OUT_BURST",
      name: "Burst of money out",
      description:
        "A transfer or cash-out with 5 or more attempts by the same customer in the hour before: scripted or panicked emptying of an account. Sends to review together with any other signal.",
      expression: `${MONEY_OUT} && tx_count_1h >= 5.0`,
      score: 30,
    },
    {
      id: "MOST_OF_BALANCE_TO_NEW_PAYEE",
      name: "Most of the balance to someone new",
      description:
        "A transfer of 90 % or more of the balance to a counterparty the customer never sent to. Alone it stays approved (legitimate savings moves look like this); with any other signal it goes to review.",
      expression: 'tx_type == "TRANSFER" && counterparty_is_new && balance_share != null && balance_share >= 0.9',
      score: 30,
    },
  ],
};
