import { Errors, List, Report, Ruleset, Transaction, User } from "@fraud/core";
import { createTranslator } from "next-intl";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import en from "../messages/en.json";
import fr from "../messages/fr.json";
import { localFieldErrors, type Say } from "../src/lib/validation";

const CATALOGUES = { fr, en } as const;

function say(locale: keyof typeof CATALOGUES): Say {
  const t = createTranslator({ locale, messages: CATALOGUES[locale], namespace: "validation" });
  return t as unknown as Say;
}

function errorsOf(locale: keyof typeof CATALOGUES, from: Parameters<typeof localFieldErrors>[0]) {
  return localFieldErrors(from, CATALOGUES[locale].validation, say(locale));
}

function issuesOf(run: () => unknown): Errors.FieldIssue[] {
  try {
    run();
  } catch (e) {
    return (e as { issues: Errors.FieldIssue[] }).issues;
  }
  throw new Error("expected a failure");
}

describe("field errors in the user's language", () => {
  it("says sign-in and new-user errors in French by default, with the field's own wording", () => {
    const signIn = User.Credentials.safeParse({ username: "", password: "" });
    expect(signIn.success).toBe(false);
    expect(errorsOf("fr", signIn.error!)).toEqual({ username: ["saisissez votre nom d'utilisateur"], password: ["saisissez votre mot de passe"] });

    const user = User.NewUser.safeParse({ username: "ab", display_name: " ", role: "boss", password: "short" });
    expect(errorsOf("fr", user.error!)).toEqual({
      username: ["doit contenir au moins 3 caractères"],
      display_name: ["ne doit pas être vide"],
      role: ["doit être l'une des valeurs : viewer, analyst, admin"],
      password: ["doit contenir au moins 10 caractères"],
    });
    expect(errorsOf("en", user.error!)).toEqual({
      username: ["must be at least 3 characters"],
      display_name: ["must not be empty"],
      role: ["must be one of: viewer, analyst, admin"],
      password: ["must be at least 10 characters"],
    });
  });

  it("says a transaction's failures, core's own checks included, in French or English", () => {
    const parsed = Transaction.parseTransaction(
      { user_id: "u\u0007", amount: -5, latitude: 4, ip_address: "nope", timestamp: "2999-01-01T00:00:00Z", colour: "red" },
      { now: new Date("2025-06-15T12:00:00Z") },
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(errorsOf("fr", parsed.issues)).toEqual({
      user_id: ["ne doit pas contenir de caractères de contrôle"],
      amount: ["doit être supérieur à 0"],
      ip_address: ["doit être une adresse IPv4 ou IPv6"],
      colour: ["n'est pas un champ connu"],
      merchant_id: ["indiquez un marchand (merchant_id) ou une contrepartie (counterparty_id)"],
      latitude: ["la latitude et la longitude vont ensemble"],
      timestamp: ["ne doit pas être plus de 300 secondes dans le futur"],
    });
    expect(errorsOf("en", parsed.issues).amount).toEqual(["must be greater than 0"]);
    // The API keeps core's English messages for the same failures.
    expect(parsed.fields.amount).toEqual(["must be greater than 0"]);
  });

  it("says a rule too costly, and any other expression error, with the rule and its position", () => {
    const numbers = `[${Array.from({ length: 100 }, (_, i) => i).join(", ")}]`;
    const inner = `${numbers}.exists(b, ${numbers}.exists(c, a + b + c < 0))`;
    const expression = `${numbers}.exists(a, ${inner})`;
    const issues = issuesOf(() =>
      Ruleset.validateRulesetContent({
        rules: [
          { id: "NESTED", name: "nested", expression, score: 10 },
          { id: "TYPO", name: "typo", expression: "amount >", score: 10 },
        ],
      }),
    );
    const position = expression.indexOf(inner) + 1;
    const cost = Number(issues[0]!.params.cost);
    expect(errorsOf("fr", issues)).toEqual({
      "rules.0.expression": [
        `NESTED : trop coûteuse : jusqu'à ${new Intl.NumberFormat("fr").format(cost)} étapes dans le pire des cas, au-delà de la limite de ${new Intl.NumberFormat("fr").format(100_000)} (caractère ${position})`,
      ],
      "rules.1.expression": ["TYPO : Unexpected token: EOF (caractère 9)"],
    });
    expect(errorsOf("en", issues)["rules.0.expression"]).toEqual([
      `NESTED: too costly: up to ${cost.toLocaleString("en")} steps in the worst case, over the limit of 100,000 (character ${position})`,
    ]);
  });

  it("says the errors of a report definition and of its parameters", () => {
    const def = Report.ReportDefinition.safeParse({
      name: "Bad Name",
      title: "",
      parameters: [
        { name: "x", type: "date", label: "X" },
        { name: "x", type: "date", label: "X" },
      ],
      sql: " ",
    });
    expect(errorsOf("fr", def.error!)).toEqual({
      name: ["en minuscules, chiffres et _, commençant par une lettre (par exemple montant_par_jour)"],
      title: ["ne doit pas être vide"],
      parameters: ["les noms de paramètres doivent être uniques"],
      sql: ["ne doit pas être vide"],
    });
    const params = [
      { name: "from", type: "date" as const, label: "Du", description: "" },
      { name: "to", type: "date" as const, label: "Au", description: "" },
      { name: "n", type: "integer" as const, label: "N", description: "" },
    ];
    const issues = issuesOf(() =>
      Report.bindReportParameters({ parameters: params }, { from: "2025-06-03", to: "2025-06-01", n: "1.5", colour: "red" }, new Date()),
    );
    expect(errorsOf("fr", issues)).toEqual({
      colour: ["n'est pas un paramètre de ce rapport"],
      n: ["doit être un nombre entier"],
      from: ["ne doit pas être après la date de fin"],
    });
    expect(errorsOf("en", issues)).toEqual({
      colour: ["is not a parameter of this report"],
      n: ["must be a whole number"],
      from: ["must not be after the end date"],
    });
  });

  it("never shows core's English text in the French interface, whatever fails", () => {
    const failures = [
      List.ListEntryInput.safeParse({ kind: "maybe", field: "email", value: "", reason: "", expires_at: "tomorrow" }).error!,
      User.NewUser.safeParse({ username: "Bad Name!", display_name: "x".repeat(200), role: "admin", password: 5 }).error!,
      User.Credentials.safeParse({ username: "x".repeat(100), password: "p", extra: 1 }).error!,
    ];
    for (const error of failures) {
      const english = new Set(error.issues.map((i) => i.message));
      const said = Object.values(errorsOf("fr", error)).flat();
      expect(said.length).toBeGreaterThan(0);
      for (const message of said) expect(english.has(message), message).toBe(false);
    }
  });

  it("names a field called __proto__ or constructor like any other unknown field", () => {
    const parsed = Transaction.parseTransaction(JSON.parse('{"user_id":"u","amount":1,"merchant_id":"m","__proto__":1,"constructor":2}'));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const fields = errorsOf("fr", parsed.issues);
    expect(Object.hasOwn(fields, "__proto__")).toBe(true);
    expect(fields["__proto__"]).toEqual(["n'est pas un champ connu"]);
    expect(fields.constructor).toEqual(["n'est pas un champ connu"]);
  });

  it("has a message for every check core names with a key", () => {
    const root = new URL("../../core/src/", import.meta.url);
    const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const used = new Set(files.flatMap((f) => [...readFileSync(new URL(f, root), "utf8").matchAll(/\bkey: "([a-z0-9_]+)"/g)].map((m) => m[1]!)));
    expect(used.size).toBeGreaterThan(10);
    for (const key of used) {
      expect(Object.hasOwn(fr.validation.custom, key), `fr custom.${key}`).toBe(true);
      expect(Object.hasOwn(en.validation.custom, key), `en custom.${key}`).toBe(true);
    }
  });

  it("says every error code in both languages, and no code that does not exist", () => {
    for (const locale of ["fr", "en"] as const) {
      expect(Object.keys(CATALOGUES[locale].errors.visible).sort(), locale).toEqual([...Errors.ERROR_CODES].sort());
    }
  });

  it("has every message in both languages, each formatting with the details a check gives", () => {
    const keys = (o: object, prefix = ""): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === "string" ? [`${prefix}${k}`] : keys(v as object, `${prefix}${k}.`)));
    expect(keys(fr.validation).sort()).toEqual(keys(en.validation).sort());
    expect(Object.keys(fr.errors.visible).sort()).toEqual(Object.keys(en.errors.visible).sort());
    for (const locale of ["fr", "en"] as const) {
      for (const key of keys(CATALOGUES[locale].validation)) {
        const text = say(locale)(key, {
          origin: "string",
          minimum: 2,
          maximum: 5,
          inclusive: "true",
          expected: "number",
          format: "email",
          divisor: 2,
          values: "a, b",
          seconds: 300,
          name: "p",
          detail: "d",
          key: "k",
          rule: "R",
          position: 3,
          cost: 200_000,
          limit: 100_000,
        });
        expect(text, `${locale} ${key}`).not.toMatch(/validation\.|\{/);
      }
    }
  });
});
