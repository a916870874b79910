import { afterEach, describe, expect, it } from "vitest";
import { type SignInThrottle } from "../../src/user/ports.ts";
import { SIGN_IN_THROTTLE, type ThrottleKey } from "../../src/user/throttle.ts";

/**
 * One store of an adapter, fresh and empty: `open` gives a new handle on it each time (as a
 * restarted process or another Lambda container would have), all reading the time from `clock`.
 */
export interface ThrottleFixture {
  open(): Promise<SignInThrottle>;
  close(): Promise<void>;
}
export type MakeThrottleFixture = (clock: () => Date) => Promise<ThrottleFixture>;

const SECOND = 1_000;
const { free, maxWaitMs, keepMs } = SIGN_IN_THROTTLE;
const user = (id: string): ThrottleKey => ({ kind: "user", id });
const address = (id: string): ThrottleKey => ({ kind: "address", id });

/**
 * The behaviour every adapter's SignInThrottle must have: registered for the local adapter
 * (SQLite) and the AWS one (DynamoDB emulator).
 */
export function signInThrottleContracts(adapter: string, make: MakeThrottleFixture): void {
  const open: ThrottleFixture[] = [];
  const fixture = async () => {
    let t = Date.parse("2025-06-15T12:00:00.000Z");
    const f = await make(() => new Date(t));
    open.push(f);
    return { ...f, throttle: await f.open(), advance: (ms: number) => void (t += ms) };
  };
  afterEach(async () => {
    for (const f of open.splice(0)) await f.close();
  });

  describe(`${adapter}: SignInThrottle`, () => {
    it("lets the free attempts through, then makes each further one wait twice as long, up to the cap", async () => {
      const { throttle, advance } = await fixture();
      const ana = [user("ana")];
      for (let i = 0; i < free.user; i++) expect(await throttle.attempt(ana)).toEqual({ waitMs: 0 });
      const waits: number[] = [];
      for (let i = 0; i < 14; i++) {
        const { waitMs } = await throttle.attempt(ana);
        waits.push(waitMs);
        // Asked again just before the wait is over: still refused, and the wait is not made longer.
        advance(waitMs - 1);
        expect(await throttle.attempt(ana)).toEqual({ waitMs: 1 });
        advance(1);
        expect(await throttle.attempt(ana)).toEqual({ waitMs: 0 });
      }
      expect(waits.slice(0, 5)).toEqual([1, 2, 4, 8, 16].map((s) => s * SECOND));
      expect(waits.every((w, i) => i === 0 || w >= waits[i - 1]!)).toBe(true);
      expect(Math.max(...waits)).toBe(maxWaitMs);
    });

    it("waits for the longest of its keys, and counts nothing while it must wait", async () => {
      const { throttle, advance } = await fixture();
      const here = address("203.0.113.7");
      // One address, many user names: the address's count grows with each.
      for (let i = 0; i < free.address; i++) expect(await throttle.attempt([user(`name-${i}`), here])).toEqual({ waitMs: 0 });
      expect(await throttle.attempt([user("someone-new"), here])).toEqual({ waitMs: SECOND });
      // Refused: neither the new user name nor another address was counted.
      for (let i = 0; i < free.user; i++) expect(await throttle.attempt([user("someone-new"), address("198.51.100.2")])).toEqual({ waitMs: 0 });
      advance(SECOND);
      expect(await throttle.attempt([user("name-0"), here])).toEqual({ waitMs: 0 });
      expect(await throttle.attempt([user("name-0"), here])).toEqual({ waitMs: 2 * SECOND });
    });

    it("starts a user name's count again after a right password; an address's right attempt is taken back", async () => {
      const { throttle } = await fixture();
      const from = address("192.0.2.10");
      for (let i = 0; i < free.user; i++) await throttle.attempt([user("ana"), from]);
      await throttle.succeeded([user("ana"), from]);
      for (let i = 0; i < free.user; i++) expect(await throttle.attempt([user("ana")])).toEqual({ waitMs: 0 });
      expect((await throttle.attempt([user("ana")])).waitMs).toBeGreaterThan(0);

      // Forty right sign-ins from one office address never make it wait.
      const office = address("192.0.2.99");
      for (let i = 0; i < 2 * free.address; i++) {
        const keys = [user(`analyst-${i}`), office];
        expect(await throttle.attempt(keys)).toEqual({ waitMs: 0 });
        await throttle.succeeded(keys);
      }
      await throttle.succeeded([user("never-seen"), address("never-seen")]);
    });

    it("keeps the counts in the store: a new handle (a restart, another container) sees them", async () => {
      const { throttle, open } = await fixture();
      for (let i = 0; i < free.user + 1; i++) await throttle.attempt([user("admin")]);
      const after = await open();
      expect(await after.attempt([user("admin")])).toEqual({ waitMs: SECOND });
      expect(await throttle.attempt([user("admin")])).toEqual({ waitMs: SECOND });
    });

    it("forgets a count a day after its last attempt", async () => {
      const { throttle, advance } = await fixture();
      for (let i = 0; i < free.user + 10; i++) await throttle.attempt([user("ana")]);
      expect((await throttle.attempt([user("ana")])).waitMs).toBeGreaterThan(0);
      advance(keepMs);
      for (let i = 0; i < free.user; i++) expect(await throttle.attempt([user("ana")])).toEqual({ waitMs: 0 });
      expect(await throttle.attempt([user("ana")])).toEqual({ waitMs: SECOND });
    });

    it("counts attempts made at the same moment one after another: never more than the free ones get through", async () => {
      const { throttle, open } = await fixture();
      const handles = [throttle, await open(), await open()];
      const answers = await Promise.all(
        Array.from({ length: 3 * free.user }, (_, i) => handles[i % handles.length]!.attempt([user("ana"), address("203.0.113.50")])),
      );
      const through = answers.filter((a) => a.waitMs === 0).length;
      expect(through).toBeGreaterThan(0);
      expect(through).toBeLessThanOrEqual(free.user);
    });
  });
}
