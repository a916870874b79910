import { FEATURES } from "../features/features.ts";

/**
 * Turns the CEL syntax tree of a rule into a plain JavaScript function, for the subset of CEL
 * that rules use: feature reads, literals, `&&` `||` `!`, comparisons, `== !=`, double
 * arithmetic, `? :`, `in [literals]` and `startsWith` / `endsWith` / `contains`. Anything else
 * (ints in arithmetic, macros, other functions, maps) is not compiled and the rule stays with
 * the cel-js interpreter. Nothing in the subset loops or makes a value longer than its parts, so a
 * compiled rule costs a bounded number of steps by construction and carries no step budget; the
 * interpreter counts them (rule-cost.ts). Compiling loops would need the same counting.
 *
 * The compiled function is an accelerator, not a second implementation of CEL: whenever a value
 * is not what the catalogue promises (a missing feature, a null where a number is needed), it
 * gives up and the caller asks cel-js, so errors, their messages and CEL's error absorption in
 * `&&` / `||` stay exactly cel-js's. `test/eval/rule-compiler.test.ts` checks the two agree on
 * random features for every shipped rule and for random expressions.
 */

/** Thrown inside a compiled rule when cel-js must decide this evaluation. */
const ASK_INTERPRETER: unique symbol = Symbol("ask the CEL interpreter");

type StaticType = "double" | "int" | "string" | "bool" | "null" | "dyn" | "list<string>" | "list<double>";
interface Code {
  js: string;
  type: StaticType;
}

interface AstNode {
  op: string;
  args: unknown;
}

class Unsupported extends Error {}

function unsupported(what: string): never {
  throw new Unsupported(what);
}

function isNode(x: unknown): x is AstNode {
  return typeof x === "object" && x !== null && typeof (x as AstNode).op === "string";
}

const VARIABLE_TYPES: ReadonlyMap<string, StaticType> = new Map(Object.entries(FEATURES).map(([name, spec]) => [name, "nullable" in spec ? "dyn" : spec.type]));

function literal(value: unknown): Code {
  if (value === null) return { js: "null", type: "null" };
  if (typeof value === "boolean") return { js: String(value), type: "bool" };
  if (typeof value === "string") return { js: JSON.stringify(value), type: "string" };
  if (typeof value === "number") {
    if (!Number.isFinite(value)) unsupported("non-finite literal");
    // `-0` must stay -0: String(-0) is "0".
    return { js: Object.is(value, -0) ? "(-0)" : `(${String(value)})`, type: "double" };
  }
  if (typeof value === "bigint") {
    // An int literal only ever meets doubles in a comparison, where JS compares exactly.
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) unsupported("large int");
    return { js: `(${String(Number(value))})`, type: "int" };
  }
  return unsupported(`literal of type ${typeof value}`);
}

const isNumeric = (t: StaticType) => t === "double" || t === "int" || t === "dyn";

class Compiler {
  /** Variable name -> local name; each feature is read and type-checked once, up front. */
  readonly locals = new Map<string, string>();
  /** Constants the generated code refers to (lists for `in`). */
  readonly constants: unknown[] = [];

  variable(name: string): Code {
    const type = VARIABLE_TYPES.get(name) ?? unsupported(`unknown variable ${name}`);
    let local = this.locals.get(name);
    if (local === undefined) {
      local = `v${this.locals.size}`;
      this.locals.set(name, local);
    }
    return { js: local, type };
  }

  /** A number, from a double, an int literal or a dyn (which gives up on anything but a number). */
  number(c: Code): string {
    if (c.type === "double" || c.type === "int") return c.js;
    if (c.type === "dyn") return `num(${c.js})`;
    return unsupported(`number expected, got ${c.type}`);
  }

  bool(node: unknown): string {
    const c = this.compile(node);
    if (c.type !== "bool") unsupported(`bool expected, got ${c.type}`);
    return c.js;
  }

  compile(node: unknown): Code {
    if (!isNode(node)) return unsupported("not a node");
    const args = node.args;
    const two = (): [unknown, unknown] => {
      if (!Array.isArray(args) || args.length !== 2) unsupported(`${node.op} arity`);
      return args as [unknown, unknown];
    };
    switch (node.op) {
      case "value":
        return literal(args);
      case "id":
        return typeof args === "string" ? this.variable(args) : unsupported("id");
      case "&&":
      case "||": {
        const [l, r] = two();
        return { js: `(${this.bool(l)} ${node.op} ${this.bool(r)})`, type: "bool" };
      }
      case "!_":
        return { js: `(!${this.bool(args)})`, type: "bool" };
      case "-_": {
        const c = this.compile(args);
        if (c.type === "double" || c.type === "int") return { js: `(-${c.js})`, type: c.type };
        if (c.type === "dyn") return { js: `(-${this.number(c)})`, type: "double" };
        return unsupported(`-${c.type}`);
      }
      case "==":
      case "!=": {
        const [l, r] = two();
        const a = this.compile(l);
        const b = this.compile(r);
        const op = node.op === "==" ? "===" : "!==";
        const same = a.type === b.type && (a.type === "double" || a.type === "string" || a.type === "bool" || a.type === "null");
        // A dyn feature is a number or null: === gives CEL's answer against a number or null
        // (different types are simply unequal), including NaN != NaN.
        const dynOk = (x: Code, y: Code) => x.type === "dyn" && (y.type === "dyn" || y.type === "double" || y.type === "int" || y.type === "null");
        if (same || dynOk(a, b) || dynOk(b, a)) return { js: `(${a.js} ${op} ${b.js})`, type: "bool" };
        return unsupported(`${a.type} ${node.op} ${b.type}`);
      }
      case "<":
      case "<=":
      case ">":
      case ">=": {
        const [l, r] = two();
        const a = this.compile(l);
        const b = this.compile(r);
        if (isNumeric(a.type) && isNumeric(b.type)) {
          if (a.type === "int" && b.type === "int") unsupported("int comparison");
          return { js: `(${this.number(a)} ${node.op} ${this.number(b)})`, type: "bool" };
        }
        if (a.type === "string" && b.type === "string") return { js: `(${a.js} ${node.op} ${b.js})`, type: "bool" };
        return unsupported(`${a.type} ${node.op} ${b.type}`);
      }
      case "+":
      case "-":
      case "*":
      case "/": {
        const [l, r] = two();
        const a = this.compile(l);
        const b = this.compile(r);
        if (node.op === "+" && a.type === "string" && b.type === "string") return { js: `(${a.js} + ${b.js})`, type: "string" };
        // Doubles only: int arithmetic has overflow and division rules of its own.
        const ok = (t: StaticType) => t === "double" || t === "dyn";
        if (!ok(a.type) || !ok(b.type)) return unsupported(`${a.type} ${node.op} ${b.type}`);
        return { js: `(${this.number(a)} ${node.op} ${this.number(b)})`, type: "double" };
      }
      case "?:": {
        if (!Array.isArray(args) || args.length !== 3) return unsupported("?: arity");
        const cond = this.bool(args[0]);
        const a = this.compile(args[1]);
        const b = this.compile(args[2]);
        if (a.type !== b.type || a.type === "dyn" || a.type === "int") return unsupported(`?: ${a.type} : ${b.type}`);
        return { js: `(${cond} ? ${a.js} : ${b.js})`, type: a.type };
      }
      case "list": {
        if (!Array.isArray(args)) return unsupported("list");
        const items = args.map((n) => (isNode(n) && n.op === "value" ? n.args : unsupported("list of non-literals")));
        if (items.length > 0 && items.every((v) => typeof v === "string")) {
          this.constants.push(new Set(items));
          return { js: `k${this.constants.length - 1}`, type: "list<string>" };
        }
        if (items.length > 0 && items.every((v) => typeof v === "number" && !Number.isNaN(v))) {
          this.constants.push(items);
          return { js: `k${this.constants.length - 1}`, type: "list<double>" };
        }
        return unsupported("list of mixed or other literals");
      }
      case "in": {
        const [l, r] = two();
        const a = this.compile(l);
        const list = this.compile(r);
        if (list.type === "list<string>" && a.type === "string") return { js: `${list.js}.has(${a.js})`, type: "bool" };
        // indexOf compares with ===, like CEL's list membership for numbers (NaN is in no list).
        if (list.type === "list<double>" && (a.type === "double" || a.type === "dyn")) return { js: `(${list.js}.indexOf(${a.js}) >= 0)`, type: "bool" };
        return unsupported(`${a.type} in ${list.type}`);
      }
      case "rcall": {
        if (!Array.isArray(args) || args.length !== 3) return unsupported("rcall");
        const [name, receiver, params] = args as [unknown, unknown, unknown];
        const method =
          name === "startsWith" ? "startsWith" : name === "endsWith" ? "endsWith" : name === "contains" ? "includes" : unsupported(`function ${String(name)}`);
        if (!Array.isArray(params) || params.length !== 1) return unsupported("rcall arity");
        const self = this.compile(receiver);
        const arg = this.compile(params[0]);
        if (self.type !== "string" || arg.type !== "string") return unsupported("string function on a non-string");
        return { js: `${self.js}.${method}(${arg.js})`, type: "bool" };
      }
      default:
        return unsupported(`operator ${node.op}`);
    }
  }
}

const TYPE_CHECK: Record<StaticType, (local: string) => string> = {
  double: (v) => `typeof ${v} !== "number"`,
  int: (v) => `typeof ${v} !== "number"`,
  string: (v) => `typeof ${v} !== "string"`,
  bool: (v) => `typeof ${v} !== "boolean"`,
  dyn: (v) => `(${v} !== null && typeof ${v} !== "number")`,
  null: (v) => `${v} !== null`,
  "list<string>": () => "true",
  "list<double>": () => "true",
};

function num(v: unknown): number {
  if (typeof v !== "number") throw ASK_INTERPRETER;
  return v;
}

/**
 * The rule's test as one JavaScript function, or undefined when the expression uses something
 * outside the compiled subset. `interpret` (cel-js) answers whenever the compiled code cannot:
 * a feature missing or not of its catalogue type, a null where a number is needed. Only call it
 * on an expression that type-checks as bool.
 */
export function compileExpression(
  ast: unknown,
  interpret: (features: Readonly<Record<string, unknown>>) => boolean,
): { test: (features: Readonly<Record<string, unknown>>) => boolean; source: string } | undefined {
  const compiler = new Compiler();
  let body: string;
  try {
    body = compiler.bool(ast);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  const reads = [...compiler.locals].map(([name, local]) => `const ${local} = f[${JSON.stringify(name)}];`);
  const checks = [...compiler.locals].map(([name, local]) => TYPE_CHECK[VARIABLE_TYPES.get(name)!](local));
  const guarded = body.includes("num(");
  const source = [
    ...reads,
    checks.length > 0 ? `if (${checks.join(" || ")}) return interpret(f);` : "",
    guarded ? `try {\n  return ${body};\n} catch (e) {\n  if (e === ASK) return interpret(f);\n  throw e;\n}` : `return ${body};`,
  ]
    .filter((line) => line !== "")
    .join("\n");
  const constants = compiler.constants.map((_, i) => `k${i}`);
  const factory = new Function("ASK", "num", "interpret", ...constants, `"use strict";\nreturn function compiledRule(f) {\n${source}\n};`) as (
    ask: symbol,
    n: typeof num,
    i: typeof interpret,
    ...k: unknown[]
  ) => (features: Readonly<Record<string, unknown>>) => boolean;
  return { test: factory(ASK_INTERPRETER, num, interpret, ...compiler.constants), source };
}

/**
 * A whole ruleset's tests as one function: every feature read and type-checked once, every rule
 * inline. `run(features, fired)` writes the indexes of the rules that fire into `fired` and
 * returns how many, or -1 when one of them needs cel-js for these features (the caller then
 * evaluates rule by rule). Undefined when some rule is outside the compiled subset.
 */
export function compileFused(
  asts: readonly unknown[],
): { run: (features: Readonly<Record<string, unknown>>, fired: Int32Array) => number; source: string } | undefined {
  const compiler = new Compiler();
  const bodies: string[] = [];
  try {
    for (const ast of asts) bodies.push(compiler.bool(ast));
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  const reads = [...compiler.locals].map(([name, local]) => `const ${local} = f[${JSON.stringify(name)}];`);
  const checks = [...compiler.locals].map(([name, local]) => TYPE_CHECK[VARIABLE_TYPES.get(name)!](local));
  const tests = bodies.map((body, i) => `if (${body}) fired[n++] = ${i};`).join("\n");
  const guarded = bodies.some((b) => b.includes("num("));
  const source = [
    ...reads,
    checks.length > 0 ? `if (${checks.join(" || ")}) return -1;` : "",
    "let n = 0;",
    guarded ? `try {\n${tests}\n} catch (e) {\n  if (e === ASK) return -1;\n  throw e;\n}` : tests,
    "return n;",
  ]
    .filter((line) => line !== "")
    .join("\n");
  const constants = compiler.constants.map((_, i) => `k${i}`);
  const factory = new Function("ASK", "num", ...constants, `"use strict";\nreturn function compiledRuleset(f, fired) {\n${source}\n};`) as (
    ask: symbol,
    n: typeof num,
    ...k: unknown[]
  ) => (features: Readonly<Record<string, unknown>>, fired: Int32Array) => number;
  return { run: factory(ASK_INTERPRETER, num, ...compiler.constants), source };
}
