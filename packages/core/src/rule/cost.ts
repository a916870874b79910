import { FEATURES, type FeatureName } from "../features/features.ts";
import { Text } from "../transaction/transaction.ts";

/**
 * The most a rule may cost to evaluate once, in steps: one step per sub-expression evaluated,
 * plus one per character of every string and per element (and entry) of every list (and map) a
 * sub-expression produces. A rule over it is refused when it is saved (`estimateCost`, a bound
 * over every input the features allow) and stopped when it runs (`boundedProgram`). cel-js
 * interprets tens of millions of steps a second, so a rule stopped at the limit has run for about
 * 1.5 ms once warm; every rule of the shipped rulesets costs under 1,000 steps (docs/rules.md;
 * docs/decisions/031-a-cost-limit-for-rules.md).
 */
export const MAX_RULE_COST = 100_000;

/** Estimates stop growing here: beyond every limit, and exact in a double. */
const CAP = 1e15;

/**
 * The largest value a sub-expression can produce, by shape. `n` counts the characters of a
 * string, the bytes of bytes, the elements of a list or the entries of a map, and is 0 for a
 * number, a bool, null, a timestamp or a duration. A sub-expression that may produce values of
 * different shapes (a `dyn`) has the largest of each part.
 */
interface Size {
  n: number;
  /** The elements of a list, or the values of a map. */
  of?: Size;
  /** The keys of a map. */
  key?: Size;
}

const SCALAR: Size = { n: 0 };

const add = (...xs: number[]) =>
  Math.min(
    CAP,
    xs.reduce((a, b) => a + b, 0),
  );
export const mul = (a: number, b: number) => (a === 0 || b === 0 ? 0 : Math.min(CAP, a * b));

/** What reading a value of this size costs: `n`, plus the weight of every element and key. */
function weight(s: Size | undefined): number {
  if (!s || s.n === 0) return 0;
  return mul(s.n, add(1, weight(s.of), weight(s.key)));
}

function join(a: Size | undefined, b: Size | undefined): Size | undefined {
  if (!a) return b;
  if (!b) return a;
  const of = join(a.of, b.of);
  const key = join(a.key, b.key);
  return { n: Math.max(a.n, b.n), ...(of ? { of } : {}), ...(key ? { key } : {}) };
}

const text = (n: number): Size => ({ n: Math.min(CAP, n) });

/** The longest string feature: identifiers and names are `Text`. */
const FEATURE_TEXT = Text.maxLength ?? 128;

/** `google.protobuf.{Duration,Timestamp}`, the one constant map cel-js declares. */
const GOOGLE: Size = { n: 1, key: text(8), of: { n: 2, key: text(9) } };

/** What each function produces, from the sizes of its receiver (if a method) and arguments. */
const FUNCTIONS: Record<string, (self: Size, args: Size[]) => Size> = {
  // Numbers, bools, timestamps, durations, types: no size.
  size: () => SCALAR,
  int: () => SCALAR,
  uint: () => SCALAR,
  double: () => SCALAR,
  bool: () => SCALAR,
  type: () => SCALAR,
  timestamp: () => SCALAR,
  duration: () => SCALAR,
  startsWith: () => SCALAR,
  endsWith: () => SCALAR,
  contains: () => SCALAR,
  indexOf: () => SCALAR,
  lastIndexOf: () => SCALAR,
  at: () => SCALAR,
  getDate: () => SCALAR,
  getDayOfMonth: () => SCALAR,
  getDayOfWeek: () => SCALAR,
  getDayOfYear: () => SCALAR,
  getFullYear: () => SCALAR,
  getHours: () => SCALAR,
  getMilliseconds: () => SCALAR,
  getMinutes: () => SCALAR,
  getMonth: () => SCALAR,
  getSeconds: () => SCALAR,
  dyn: (_, [x]) => x ?? SCALAR,
  // A number prints in at most 32 characters; bytes decode to at most one character each.
  string: (self, [x]) => text(Math.max((x ?? self).n, 32)),
  // One UTF-16 unit is at most 3 bytes of UTF-8, and changes case into at most 3 units.
  bytes: (self, [x]) => text(3 * (x ?? self).n),
  lowerAscii: (self) => text(3 * self.n),
  upperAscii: (self) => text(3 * self.n),
  trim: (self) => self,
  substring: (self) => self,
  split: (self) => ({ n: add(self.n, 1), of: self }),
  join: (self, [sep]) => text(add(mul(self.n, self.of?.n ?? 0), mul(self.n, sep?.n ?? 0))),
  hex: (self) => text(2 * self.n),
  base64: (self) => text(add(2 * self.n, 4)),
};

/** Functions a rule may not call; each with the reason the editor shows. */
const FORBIDDEN: Record<string, string> = {
  matches: "regular expressions (matches) are not allowed: their cost has no bound; use contains, startsWith, endsWith or a list",
  json: "json() is not allowed in rules: the shape of what it parses has no bound",
};

/** The macros that loop over a list or a map (cel-js expands them into comprehensions). */
const LOOPS = new Set(["all", "exists", "exists_one", "map", "filter"]);

/** A cel-js syntax node: the parts of it this module reads. */
export interface Node {
  op: string;
  args: unknown;
  start: number;
  end: number;
}

export function isNode(x: unknown): x is Node {
  return typeof x === "object" && x !== null && typeof (x as Node).op === "string" && "args" in x;
}

/** The sub-expressions written under a node, in source order. */
function children(node: Node): Node[] {
  const out: Node[] = [];
  const walk = (x: unknown) => {
    if (isNode(x)) out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
  };
  walk(node.args);
  return out;
}

export type CostEstimate =
  | { ok: true; cost: number }
  /** Over the limit: the whole expression's cost, and the smallest sub-expression over the limit by itself. */
  | { ok: false; code: "too_costly"; cost: number; start: number; end: number; message: string }
  | { ok: false; code: "forbidden_function"; start: number; end: number; message: string };

class Forbidden extends Error {
  constructor(
    message: string,
    readonly node: Node,
  ) {
    super(message);
  }
}

class Estimator {
  /** Each node's worst-case cost, for finding the one that goes over the limit. */
  readonly costs = new Map<Node, number>();

  visit(node: Node, scope: ReadonlyMap<string, Size>): { size: Size; cost: number } {
    const r = this.estimate(node, scope);
    this.costs.set(node, Math.max(this.costs.get(node) ?? 0, r.cost));
    return r;
  }

  private all(nodes: readonly Node[], scope: ReadonlyMap<string, Size>) {
    return nodes.map((n) => this.visit(n, scope));
  }

  /** A node that costs one step and the weight of its value, after its operands. */
  private produces(size: Size, operands: { cost: number }[]) {
    return { size, cost: add(1, weight(size), ...operands.map((o) => o.cost)) };
  }

  private estimate(node: Node, scope: ReadonlyMap<string, Size>): { size: Size; cost: number } {
    const args = node.args;
    const nodes = () => children(node);
    switch (node.op) {
      case "value": {
        const size = typeof args === "string" ? text(args.length) : args instanceof Uint8Array ? text(args.length) : SCALAR;
        return this.produces(size, []);
      }
      case "id": {
        const name = String(args);
        const bound = scope.get(name);
        if (bound) return this.produces(bound, []);
        if (name === "google") return this.produces(GOOGLE, []);
        const string = Object.hasOwn(FEATURES, name) && FEATURES[name as FeatureName].type === "string";
        return this.produces(string ? text(FEATURE_TEXT) : SCALAR, []);
      }
      case "list": {
        const items = this.all(nodes(), scope);
        const of = items.reduce<Size | undefined>((a, i) => join(a, i.size), undefined);
        return this.produces({ n: items.length, ...(of ? { of } : {}) }, items);
      }
      case "map": {
        const entries = Array.isArray(args) ? (args as unknown[][]) : [];
        let key: Size | undefined;
        let of: Size | undefined;
        const parts: { cost: number }[] = [];
        for (const [k, v] of entries) {
          if (isNode(k)) {
            const e = this.visit(k, scope);
            key = join(key, e.size);
            parts.push(e);
          }
          if (isNode(v)) {
            const e = this.visit(v, scope);
            of = join(of, e.size);
            parts.push(e);
          }
        }
        return this.produces({ n: entries.length, ...(of ? { of } : {}), ...(key ? { key } : {}) }, parts);
      }
      case ".":
      case ".?":
      case "[]":
      case "[?]": {
        const [object, ...rest] = this.all(nodes(), scope);
        return this.produces(object?.size.of ?? SCALAR, [...(object ? [object] : []), ...rest]);
      }
      case "+": {
        const [a, b] = this.all(nodes(), scope);
        const of = join(a?.size.of, b?.size.of);
        const key = join(a?.size.key, b?.size.key);
        return this.produces({ n: add(a?.size.n ?? 0, b?.size.n ?? 0), ...(of ? { of } : {}), ...(key ? { key } : {}) }, [a!, b!].filter(Boolean));
      }
      case "?:": {
        const [c, a, b] = this.all(nodes(), scope);
        return this.produces(join(a?.size, b?.size) ?? SCALAR, [c!, a!, b!].filter(Boolean));
      }
      case "call":
      case "rcall":
        return this.call(node, scope);
      default:
        // Operators on numbers and bools, comparisons, `in`, `&&`, `||`, `!`: no size of their own.
        return this.produces(SCALAR, this.all(nodes(), scope));
    }
  }

  private call(node: Node, scope: ReadonlyMap<string, Size>): { size: Size; cost: number } {
    const method = node.op === "rcall";
    const parts = node.args as unknown[];
    const name = String(parts[0]);
    const receiver = method && isNode(parts[1]) ? parts[1] : undefined;
    const params = (method ? parts[2] : parts[1]) as unknown[];
    const argNodes = Array.isArray(params) ? params.filter(isNode) : [];

    const forbidden = Object.hasOwn(FORBIDDEN, name) ? FORBIDDEN[name] : undefined;
    if (forbidden) throw new Forbidden(forbidden, node);

    if (method && receiver && LOOPS.has(name) && argNodes[0]?.op === "id") return this.loop(name, receiver, argNodes, scope);
    if (method && receiver?.op === "id" && receiver.args === "cel" && name === "bind" && argNodes.length === 3 && argNodes[0]!.op === "id") {
      const value = this.visit(argNodes[1]!, scope);
      const inner = new Map(scope).set(String(argNodes[0]!.args), value.size);
      const body = this.visit(argNodes[2]!, inner);
      return this.produces(body.size, [value, body]);
    }
    if (!method && name === "has") return this.produces(SCALAR, this.all(argNodes, scope));

    const size = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (!size) throw new Forbidden(`${name}() is not allowed in rules: its cost is not known`, node);
    const self = receiver ? this.visit(receiver, scope) : undefined;
    const args = this.all(argNodes, scope);
    return this.produces(
      size(
        self?.size ?? SCALAR,
        args.map((a) => a.size),
      ),
      [...(self ? [self] : []), ...args],
    );
  }

  /**
   * `range.all(x, p)` and the other loops: the range once, then its body once per element, each
   * time with the few steps cel-js adds around it (the accumulator, the element for `filter`).
   */
  private loop(name: string, range: Node, [variable, ...body]: Node[], scope: ReadonlyMap<string, Size>): { size: Size; cost: number } {
    const over = this.visit(range, scope);
    const element = join(over.size.of, over.size.key) ?? SCALAR;
    const inner = new Map(scope).set(String(variable!.args), element);
    const steps = this.all(body, inner);
    const each = add(3, weight(element), ...steps.map((s) => s.cost));
    const size: Size = name === "map" ? { n: over.size.n, of: steps.at(-1)!.size } : name === "filter" ? { n: over.size.n, of: element } : SCALAR;
    return { size, cost: add(over.cost, 2, weight(size), mul(over.size.n, each)) };
  }
}

/**
 * The worst-case cost of an expression that type-checked, in the steps `MAX_RULE_COST` counts:
 * loops cost the size of their range times their body, nested loops multiply, and every string
 * or list is as long as its parts allow (a string feature: 128 characters). When it is over the
 * limit, the answer points at the smallest sub-expression that is over it by itself (offsets
 * into the expression), where the cost multiplies.
 */
export function estimateCost(ast: unknown, limit = MAX_RULE_COST): CostEstimate {
  if (!isNode(ast)) return { ok: true, cost: 0 };
  const estimator = new Estimator();
  let cost: number;
  try {
    cost = estimator.visit(ast, new Map()).cost;
  } catch (e) {
    if (e instanceof Forbidden) return { ok: false, code: "forbidden_function", start: e.node.start, end: e.node.end, message: e.message };
    throw e;
  }
  if (cost <= limit) return { ok: true, cost };
  let culprit = ast;
  for (;;) {
    const next = children(culprit)
      .filter((c) => (estimator.costs.get(c) ?? 0) > limit)
      .sort((a, b) => estimator.costs.get(b)! - estimator.costs.get(a)!)[0];
    if (!next) break;
    culprit = next;
  }
  const steps = cost >= CAP ? `more than ${CAP.toLocaleString("en")}` : `up to ${Math.ceil(cost).toLocaleString("en")}`;
  return {
    ok: false,
    code: "too_costly",
    cost: Math.ceil(cost),
    start: culprit.start,
    end: culprit.end,
    message: `too costly: ${steps} steps in the worst case, over the limit of ${limit.toLocaleString("en")}`,
  };
}
