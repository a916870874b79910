import type { RulesetContentInput } from "../ruleset/ruleset.ts";
import type { Language } from "../settings/settings.ts";

/**
 * The demo rules, each implemented for real, named and described in English. Amounts are in the
 * units of the demo data. The first six come from the scoring code of the lab the project started
 * from, the next two from its rules table (which that code never read), and the last is ours: see
 * docs/rules.md for the reasoning.
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

/** A shipped rule's name and description in another language, by rule id. */
export type RuleText = Readonly<Record<string, { name: string; description: string }>>;

const DEMO_RULES_FR: RuleText = {
  HIGH_AMOUNT_VS_HISTORY: { name: "Montant très au-dessus de l'habitude du client", description: "Plus de 5 fois le montant moyen du client sur 30 jours." },
  VERY_HIGH_AMOUNT: { name: "Montant très élevé", description: "Montant supérieur à 5 000." },
  NEW_ACCOUNT: { name: "Compte récent", description: "Compte ouvert moins de 7 jours avant la transaction." },
  DEVICE_CHANGE: { name: "Changement d'appareil", description: "L'appareil n'est pas celui que le client a utilisé la dernière fois." },
  HIGH_FREQUENCY: { name: "Fréquence élevée", description: "Plus de 50 transactions sur les 30 derniers jours." },
  HIGH_RISK_CUSTOMER: { name: "Client à risque élevé", description: "Le niveau de risque du client est élevé (HIGH)." },
  RAPID_SUCCESSION: { name: "Transactions en rafale", description: "Moins de 60 secondes depuis la transaction précédente du client." },
  LOCATION_CHANGE: { name: "Lieu inhabituel", description: "À plus de 500 km du dernier lieu connu du client." },
  NEW_DEVICE_LARGE_AMOUNT: {
    name: "Gros montant depuis un appareil jamais vu",
    description:
      "Un appareil que ce client n'a jamais utilisé, pour au moins 3 fois sa moyenne sur 30 jours (ou tout montant s'il n'a pas d'historique récent) : le schéma d'encaissement après prise de contrôle d'un compte. Avec DEVICE_CHANGE, la transaction part en revue.",
  },
};

/**
 * A shipped ruleset with its rules named and described in `language`: the text is data, stored
 * with each rule when the ruleset is seeded, so people read the rules in the deployment's
 * language. Ids, expressions and scores stay the same in every language.
 */
export function inLanguage(content: RulesetContentInput, language: Language, translations: Partial<Record<Language, RuleText>>): RulesetContentInput {
  const text = translations[language];
  if (!text) return content;
  return { ...content, rules: content.rules.map((r) => ({ ...r, ...(Object.hasOwn(text, r.id) ? text[r.id] : {}) })) };
}

/** The demo ruleset in a deployment's language. */
export function demoRuleset(language: Language): RulesetContentInput {
  return inLanguage(DEMO_RULESET, language, { fr: DEMO_RULES_FR });
}
