import { Environment } from "@marcbachmann/cel-js";
import { Decision, Demo, Features, Ruleset } from "@fraud/core";
import { Engine, type RuleProperties } from "json-rules-engine";
import { engineInputs, type EngineInput } from "./inputs.ts";

/** What every engine must agree on, for every input. */
interface Verdict {
  decision: Ruleset.DecisionOutcome;
  score: number;
  fired: string[];
}

const ruleset = Ruleset.RulesetContent.parse(Demo.DEMO_RULESET);
const THRESHOLDS = ruleset.thresholds;
const verdict = (score: number, fired: string[]): Verdict => ({
  decision: Ruleset.outcomeFor(Math.min(score, 100), THRESHOLDS),
  score: Math.min(score, 100),
  fired,
});

/** Ours: the demo ruleset as the server runs it (rules compiled to JavaScript, cel-js fallback). */
const ours = Ruleset.compileRuleset({ version: 1, ...ruleset });

/** cel-js interpreting every rule, as compileRule did before rules were compiled: the "before" figure. */
function interpretedRuleset(): Ruleset.CompiledRuleset {
  const env = new Environment({ limits: { maxAstNodes: 400, maxDepth: 40, maxListElements: 100, maxMapEntries: 50, maxCallArguments: 8 } });
  for (const [name, spec] of Object.entries(Features.FEATURES)) env.registerVariable(name, "nullable" in spec ? "dyn" : spec.type);
  return {
    ...ours,
    rules: ours.rules.map((r) => {
      const program = env.parse(r.rule.expression);
      return { ...r, compiled: false, test: (f: Features.Features) => program(f as unknown as Record<string, unknown>) === true };
    }),
  };
}

/**
 * The bound: the same nine rules written by hand as one JavaScript function, summed and
 * thresholded inline. No engine that reads its rules as data can beat it.
 */
function handWritten(f: Features.Features): Verdict {
  let score = 0;
  const fired: string[] = [];
  if (f.avg_amount_30d > 0 && f.amount > 5 * f.avg_amount_30d) {
    score += 80;
    fired.push("HIGH_AMOUNT_VS_HISTORY");
  }
  if (f.amount > 5000) {
    score += 60;
    fired.push("VERY_HIGH_AMOUNT");
  }
  if (f.account_age_days < 7) {
    score += 40;
    fired.push("NEW_ACCOUNT");
  }
  if (f.device_changed) {
    score += 40;
    fired.push("DEVICE_CHANGE");
  }
  if (f.tx_count_30d > 50) {
    score += 30;
    fired.push("HIGH_FREQUENCY");
  }
  if (f.risk_level === "HIGH") {
    score += 50;
    fired.push("HIGH_RISK_CUSTOMER");
  }
  if (f.seconds_since_last_tx !== null && f.seconds_since_last_tx < 60) {
    score += 60;
    fired.push("RAPID_SUCCESSION");
  }
  if (f.distance_km !== null && f.distance_km > 500) {
    score += 70;
    fired.push("LOCATION_CHANGE");
  }
  if (f.device_is_new && f.amount >= 3 * f.avg_amount_30d) {
    score += 30;
    fired.push("NEW_DEVICE_LARGE_AMOUNT");
  }
  return verdict(score, fired);
}

/**
 * The peer: json-rules-engine, the most used JavaScript rules engine, with the same rules written
 * its way (JSON conditions over facts; "5 times the average" as a computed fact, since its
 * conditions compare a fact with a value or another fact but do no arithmetic).
 */
function peerEngine(): Engine {
  const rule = (id: string, score: number, conditions: RuleProperties["conditions"]): RuleProperties => ({
    name: id,
    conditions,
    event: { type: id, params: { score } },
  });
  const engine = new Engine(
    [
      rule("HIGH_AMOUNT_VS_HISTORY", 80, {
        all: [
          { fact: "avg_amount_30d", operator: "greaterThan", value: 0 },
          { fact: "amount", operator: "greaterThan", value: { fact: "avg_amount_30d_x5" } },
        ],
      }),
      rule("VERY_HIGH_AMOUNT", 60, { all: [{ fact: "amount", operator: "greaterThan", value: 5000 }] }),
      rule("NEW_ACCOUNT", 40, { all: [{ fact: "account_age_days", operator: "lessThan", value: 7 }] }),
      rule("DEVICE_CHANGE", 40, { all: [{ fact: "device_changed", operator: "equal", value: true }] }),
      rule("HIGH_FREQUENCY", 30, { all: [{ fact: "tx_count_30d", operator: "greaterThan", value: 50 }] }),
      rule("HIGH_RISK_CUSTOMER", 50, { all: [{ fact: "risk_level", operator: "equal", value: "HIGH" }] }),
      rule("RAPID_SUCCESSION", 60, {
        all: [
          { fact: "seconds_since_last_tx", operator: "notEqual", value: null },
          { fact: "seconds_since_last_tx", operator: "lessThan", value: 60 },
        ],
      }),
      rule("LOCATION_CHANGE", 70, {
        all: [
          { fact: "distance_km", operator: "notEqual", value: null },
          { fact: "distance_km", operator: "greaterThan", value: 500 },
        ],
      }),
      rule("NEW_DEVICE_LARGE_AMOUNT", 30, {
        all: [
          { fact: "device_is_new", operator: "equal", value: true },
          { fact: "amount", operator: "greaterThanInclusive", value: { fact: "avg_amount_30d_x3" } },
        ],
      }),
    ],
    { allowUndefinedFacts: true },
  );
  engine.addFact("avg_amount_30d_x5", async (_params, almanac) => 5 * (await almanac.factValue<number>("avg_amount_30d")));
  engine.addFact("avg_amount_30d_x3", async (_params, almanac) => 3 * (await almanac.factValue<number>("avg_amount_30d")));
  return engine;
}

const RULE_ORDER = new Map(ruleset.rules.map((r, i) => [r.id, i]));

async function peerVerdict(engine: Engine, f: Features.Features): Promise<Verdict> {
  const { events } = await engine.run(f as unknown as Record<string, unknown>);
  const fired = events.map((e) => e.type).sort((a, b) => RULE_ORDER.get(a)! - RULE_ORDER.get(b)!);
  return verdict(
    events.reduce((s, e) => s + Number(e.params?.score ?? 0), 0),
    fired,
  );
}

function ourVerdict(rs: Ruleset.CompiledRuleset, f: Features.Features): Verdict {
  const o = Decision.evaluateRules(rs, f);
  return { decision: o.decision, score: o.score, fired: o.rules.map((r) => r.id) };
}

/** CPU time of this process in seconds: busy neighbours on the machine slow the wall clock, not this. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/**
 * Calls per second of CPU time for each function over the same inputs: rounds of about 200 ms,
 * taken in turn (a, b, c, a, b, c, ...) so that a noisy moment hurts all alike, and the median
 * round reported. Each function is warmed up first so the JIT has settled.
 */
function measureEach(seconds: number, inputs: readonly EngineInput[], fns: Record<string, (input: EngineInput) => number>): Record<string, number> {
  let sink = 0;
  const names = Object.keys(fns);
  for (const name of names) for (let k = 0; k < 3; k++) for (const input of inputs) sink += fns[name]!(input);
  const rates: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const end = performance.now() + seconds * 1000 * names.length;
  while (performance.now() < end) {
    for (const name of names) {
      const fn = fns[name]!;
      let calls = 0;
      const wallStart = performance.now();
      const cpuStart = cpuSeconds();
      while (performance.now() - wallStart < 200) {
        for (const input of inputs) sink += fn(input);
        calls += inputs.length;
      }
      rates[name]!.push(calls / (cpuSeconds() - cpuStart));
    }
  }
  if (sink === Number.MIN_VALUE) console.log(sink);
  return Object.fromEntries(names.map((n) => [n, median(rates[n]!)]));
}

/** The same for an async engine, awaited one decision at a time, as a server would call it. */
async function measureAsync(seconds: number, inputs: readonly EngineInput[], fn: (input: EngineInput) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(inputs.length, 2_000); i++) await fn(inputs[i]!);
  let calls = 0;
  const started = performance.now();
  const cpuStart = cpuSeconds();
  const end = started + seconds * 1000;
  while (performance.now() < end) {
    for (const input of inputs) {
      await fn(input);
      calls++;
      if ((calls & 255) === 0 && performance.now() >= end) break;
    }
  }
  return calls / (cpuSeconds() - cpuStart);
}

export interface EngineFigures {
  inputs: number;
  decisions_per_s: number;
  peer_decisions_per_s: number;
  bound_decisions_per_s: number;
  interpreted_decisions_per_s: number;
  ratio: number;
  ratio_to_bound: number;
  all_agree: boolean;
  disagreements: number;
  decisions_by_outcome: Record<Ruleset.DecisionOutcome, number>;
  full_path_decisions_per_s: number;
  full_path_us: number;
}

export async function runEngineBench({ quick }: { quick: boolean }): Promise<EngineFigures> {
  const inputs = engineInputs(quick ? 5_000 : 20_000);
  const seconds = quick ? 0.8 : 4;
  const interpreted = interpretedRuleset();
  const peer = peerEngine();

  // Same inputs, same verdicts: every engine must decide alike before any is timed.
  let disagreements = 0;
  const byOutcome: Record<Ruleset.DecisionOutcome, number> = { APPROVED: 0, REVIEW: 0, BLOCKED: 0 };
  for (const { features: f } of inputs) {
    const a = ourVerdict(ours, f);
    const others = [ourVerdict(interpreted, f), handWritten(f), await peerVerdict(peer, f)];
    byOutcome[a.decision]++;
    if (others.some((b) => b.decision !== a.decision || b.score !== a.score || b.fired.join() !== a.fired.join())) disagreements++;
  }

  // Each engine's whole answer is used (score, decision and fired rules), so none can skip work.
  const use = (v: { score: number; decision: Ruleset.DecisionOutcome; fired?: string[]; rules?: unknown[] }) =>
    v.score + (v.fired ?? v.rules)!.length + (v.decision === "APPROVED" ? 0 : 1);
  const rates = measureEach(seconds, inputs, {
    ours: (i) => use(Decision.evaluateRules(ours, i.features)),
    bound: (i) => use(handWritten(i.features)),
    interpreted: (i) => use(Decision.evaluateRules(interpreted, i.features)),
  });
  const perSecond = rates.ours!;
  const bound = rates.bound!;
  const before = rates.interpreted!;
  const peerRate = await measureAsync(quick ? 0.6 : 2, inputs, (i) => peer.run(i.features as unknown as Record<string, unknown>));
  // The whole decision from the profile: features, rules, score, decision and the next profile.
  const full = measureEach(seconds / 2, inputs, {
    full: (i) =>
      Decision.decide({ tx: i.tx, profile: i.profile, ruleset: ours, lists: [], settings: { timeZone: "Africa/Douala" }, decidedAt: i.tx.timestamp }).decision
        .score,
  }).full!;
  return {
    inputs: inputs.length,
    decisions_per_s: Math.round(perSecond),
    peer_decisions_per_s: Math.round(peerRate),
    bound_decisions_per_s: Math.round(bound),
    interpreted_decisions_per_s: Math.round(before),
    ratio: Math.round(perSecond / peerRate),
    ratio_to_bound: Number((perSecond / bound).toFixed(3)),
    all_agree: disagreements === 0,
    disagreements,
    decisions_by_outcome: byOutcome,
    full_path_decisions_per_s: Math.round(full),
    full_path_us: Number((1e6 / full).toFixed(2)),
  };
}
