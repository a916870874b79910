import type { ThrottleKey } from "./throttle.ts";
import type { Actor, NewUser, Role, SessionLifetime, User } from "./users.ts";

/** What an API key may do: send transactions, read decisions and reports, read GET /metrics. */
export const API_KEY_SCOPES = ["ingest", "read", "metrics"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  created_at: string;
  revoked_at: string | null;
}

/** API keys are stored hashed; the plaintext is shown once, at creation. */
export interface ApiKeyStore {
  create(name: string, scopes: ApiKeyScope[], actor: Actor, plaintext?: string): Promise<{ key: string; info: ApiKeyInfo }>;
  verify(key: string): Promise<ApiKeyInfo | undefined>;
  list(): Promise<ApiKeyInfo[]>;
  revoke(id: string, actor: Actor): Promise<void>;
}

/** People who sign in to the dashboard. Passwords are stored salted and hashed, never in clear. */
export interface UserStore {
  create(input: NewUser, actor: Actor): Promise<User>;
  /** The user when the name and password match an enabled account; the same work either way. */
  authenticate(username: string, password: string): Promise<User | undefined>;
  get(id: string): Promise<User | undefined>;
  byUsername(username: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  setRole(id: string, role: Role, actor: Actor): Promise<User>;
  /**
   * Sets the password and ends the user's sessions. `temporary`: an admin's reset, after which the
   * user must choose a new password before anything else (User.must_change_password); without it,
   * the user's own choice, which clears that.
   */
  setPassword(id: string, password: string, actor: Actor, options?: { temporary?: boolean }): Promise<void>;
  /** Disabling also ends the user's sessions. */
  setDisabled(id: string, disabled: boolean, actor: Actor): Promise<User>;
}

/**
 * Dashboard sessions: a random token given to the browser, only its hash stored. A session ends
 * after its idle time-out without a request, or at its absolute end (see `SessionLifetime`).
 */
export interface SessionStore {
  /** `ends_at` is the absolute end: the cookie may live that long, the store checks the idle time. */
  start(userId: string, lifetime: SessionLifetime): Promise<{ token: string; ends_at: string }>;
  /**
   * The signed-in user, or undefined when the token is unknown, idle too long, past its end, ended
   * or the account disabled. A valid session's idle time-out starts again.
   */
  resolve(token: string): Promise<User | undefined>;
  end(token: string): Promise<void>;
}

/**
 * Sign-in attempts counted per key (a user name, an address) in the store, so every process and
 * every restart sees the same counts (see SIGN_IN_THROTTLE for the waits). Counts are forgotten a
 * day after their key's last attempt and removed from the store.
 */
export interface SignInThrottle {
  /**
   * Counts an attempt against every key, unless one of them must still wait (throttleWaitMs): then
   * nothing is counted and the answer is the longest wait. Atomic: attempts made at the same time,
   * from any process, are counted one after another and each sees the others.
   */
  attempt(keys: readonly ThrottleKey[]): Promise<{ waitMs: number }>;
  /** The attempt was right: a user name's count starts again; an address's attempt is taken back. */
  succeeded(keys: readonly ThrottleKey[]): Promise<void>;
}
