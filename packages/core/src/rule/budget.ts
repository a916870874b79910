import { isNode, MAX_RULE_COST, mul, type Node } from "./cost.ts";

// The run-time side of the cost limit: a rule cel-js interprets takes each step from a budget of
// MAX_RULE_COST and stops when it runs out (docs/decisions/031-a-cost-limit-for-rules.md).

/**
 * Thrown when a rule goes over `MAX_RULE_COST` while it runs (a rule stored before the limit, or
 * one the estimate let through): the decision records it as the rule's error and takes the
 * ruleset's fallback.
 */
export class RuleCostExceeded extends Error {
  readonly code = "rule_cost_exceeded";
  constructor(readonly limit: number) {
    super(`went over the cost limit of ${limit.toLocaleString("en")} steps`);
    this.name = "RuleCostExceeded";
  }
}

/** The steps left to one evaluation of one rule. */
interface Budget {
  left: number;
  /** Thrown inside cel-js when `left` goes below 0 (one object: it may be thrown many times). */
  readonly spent: Error;
}

/** Takes the weight of a value from the budget (as `weight` in rule-cost.ts weighs a size), throwing once it runs out. */
function charge(budget: Budget, v: unknown): void {
  if (typeof v === "string") {
    if ((budget.left -= v.length) < 0) throw budget.spent;
    return;
  }
  if (typeof v !== "object" || v === null) return;
  if (Array.isArray(v)) {
    if ((budget.left -= v.length) < 0) throw budget.spent;
    for (const x of v) charge(budget, x);
  } else if (v instanceof Uint8Array) {
    if ((budget.left -= v.length) < 0) throw budget.spent;
  } else if (v instanceof Map) {
    if ((budget.left -= v.size) < 0) throw budget.spent;
    for (const [k, x] of v) {
      charge(budget, k);
      charge(budget, x);
    }
  } else {
    const proto: unknown = Object.getPrototypeOf(v);
    // A CEL map; timestamps, durations, uints and types are class instances of no size.
    if (proto !== Object.prototype && proto !== null) return;
    const keys = Object.keys(v);
    if ((budget.left -= keys.length) < 0) throw budget.spent;
    for (const k of keys) {
      charge(budget, k);
      charge(budget, (v as Record<string, unknown>)[k]);
    }
  }
}

type Evaluate = (this: unknown, ev: unknown, ast: unknown, ctx: unknown) => unknown;

/** A cel-js syntax node as it evaluates: cel-js calls `node.evaluate`, set from `meta` on first use. */
interface EvalNode extends Node {
  evaluate: Evaluate;
  readonly meta: {
    evaluate?: Evaluate;
    alternate?: unknown;
    macro?: { evaluate: (ev: unknown, macro: unknown, ctx: unknown) => unknown };
  };
}

function isEvalNode(x: unknown): x is EvalNode {
  return isNode(x) && typeof (x as EvalNode).meta === "object" && (x as EvalNode).meta !== null;
}

/**
 * Makes every node of a checked cel-js program take its steps from `budget` as it evaluates: one
 * step, then the weight of the value it produced. The loops cel-js expands macros into are
 * reached through `meta.alternate`; their step and accumulator nodes take one step only, since
 * their value is the accumulator, already paid for element by element. `list.join(separator)` is
 * the one function whose result can be far larger than its inputs (elements times separator), so
 * it is weighed before it runs. Throws when the tree is not the shape this expects, so that a
 * different cel-js fails loudly here rather than running rules without a bound.
 */
function instrument(root: unknown, budget: Budget): void {
  const seen = new Set<EvalNode>();
  const flat = new Set<unknown>();
  const after = new Map<unknown, (value: unknown) => void>();
  const before = new Map<unknown, () => void>();

  const wrap = (node: EvalNode) => {
    const meta = node.meta;
    const macro = meta.macro;
    const inner: Evaluate | undefined = macro ? (ev, _ast, ctx) => macro.evaluate(ev, macro, ctx) : meta.evaluate;
    if (typeof inner !== "function") throw new Error(`cannot bound the cost of a ${node.op} node`);
    const start = before.get(node);
    const observe = after.get(node);
    if (flat.has(node) || node.op.startsWith("accu")) {
      node.evaluate = function (ev, ast, ctx) {
        if (--budget.left < 0) throw budget.spent;
        return inner.call(this, ev, ast, ctx);
      };
      return;
    }
    node.evaluate = function (ev, ast, ctx) {
      if (--budget.left < 0) throw budget.spent;
      start?.();
      const value = inner.call(this, ev, ast, ctx);
      charge(budget, value);
      observe?.(value);
      return value;
    };
  };

  const visit = (x: unknown): void => {
    if (Array.isArray(x)) {
      x.forEach(visit);
      return;
    }
    if (!isEvalNode(x) || seen.has(x)) return;
    seen.add(x);
    if (x.meta.alternate !== undefined) {
      // Only forwards to its expansion, which is what runs.
      visit(x.meta.alternate);
      return;
    }
    if (x.op === "comprehension") {
      const loop = x.args as { iterable?: unknown; init?: unknown; step?: unknown };
      if (!isEvalNode(loop.step)) throw new Error("cannot bound the cost of a comprehension");
      flat.add(loop.step);
      visit([loop.iterable, loop.init, loop.step]);
    } else {
      if (x.op === "rcall") weighJoinFirst(x);
      visit(x.args);
    }
    wrap(x);
  };

  const weighJoinFirst = (node: EvalNode) => {
    const [name, list, params] = node.args as [unknown, unknown, unknown];
    if (name !== "join" || !Array.isArray(params) || params.length !== 1) return;
    const seen: { list?: unknown; sep?: unknown } = {};
    const check = () => {
      if (!Array.isArray(seen.list) || typeof seen.sep !== "string") return;
      if (mul(seen.list.length, seen.sep.length) > budget.left) {
        budget.left = -1;
        throw budget.spent;
      }
    };
    before.set(node, () => {
      seen.list = seen.sep = undefined;
    });
    after.set(list, (v) => {
      seen.list = v;
      check();
    });
    after.set(params[0], (v) => {
      seen.sep = v;
      check();
    });
  };

  visit(root);
}

/**
 * A cel-js program that stops with `RuleCostExceeded` past `limit` steps. cel-js absorbs some
 * errors (`false && error` is false, `exists` goes on past an error), so the budget is looked at
 * again once the program returns: a rule that ran out is an error whatever it answered.
 */
export function boundedProgram<T>(
  program: { (context: Record<string, unknown>): T; ast: unknown; check(): { valid: boolean; error?: unknown } },
  limit = MAX_RULE_COST,
): (context: Record<string, unknown>) => T {
  const checked = program.check();
  if (!checked.valid) throw checked.error;
  const budget: Budget = { left: limit, spent: new Error("rule cost limit reached") };
  instrument(program.ast, budget);
  return (context) => {
    budget.left = limit;
    let value: T;
    try {
      value = program(context);
    } catch (e) {
      if (budget.left < 0) throw new RuleCostExceeded(limit);
      throw e;
    }
    if (budget.left < 0) throw new RuleCostExceeded(limit);
    return value;
  };
}
