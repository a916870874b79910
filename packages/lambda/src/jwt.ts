import { Errors, User } from "@fraud/core";
import { z } from "zod";

const Claims = z.object({
  iss: z.string(),
  sub: z.string().min(1).max(256),
  exp: z.number(),
  iat: z.number().optional(),
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  // Cognito access tokens name the app client here instead of `aud`; API Gateway accepts either.
  client_id: z.string().optional(),
  scope: z.string().optional(),
  scp: z.union([z.string(), z.array(z.string())]).optional(),
});

function payloadOf(token: string): unknown {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    return JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8"));
  } catch (e) {
    if (e instanceof SyntaxError) return undefined; // not JSON: not a token
    throw e;
  }
}

/** `ingest`, `read`, or a resource server's `<name>/ingest`, `<name>/read`. */
function scopesOf(claims: z.infer<typeof Claims>): User.ApiKeyScope[] {
  const raw = [...(claims.scope?.split(" ") ?? []), ...(Array.isArray(claims.scp) ? claims.scp : (claims.scp?.split(" ") ?? []))];
  const names = new Set(raw.map((s) => s.slice(s.lastIndexOf("/") + 1)));
  return User.API_KEY_SCOPES.filter((s) => names.has(s));
}

/**
 * The caller of the API when the stage authorises with JWTs: API Gateway's JWT authorizer has
 * already checked the token's signature, issuer, audience and expiry on every route before the
 * ingest function runs, so this reads the token's claims (checking issuer, audience and expiry
 * again, in case the function is ever reached another way) and turns its scopes into the API's
 * `ingest` / `read` scopes. API keys are not used on such a stage.
 */
export class GatewayJwtCallers implements User.ApiKeyStore {
  constructor(
    private readonly expected: { issuer: string; audience: readonly string[] },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async verify(token: string): Promise<User.ApiKeyInfo | undefined> {
    const parsed = Claims.safeParse(payloadOf(token));
    if (!parsed.success) return undefined;
    const c = parsed.data;
    const audiences = [...(Array.isArray(c.aud) ? c.aud : c.aud ? [c.aud] : []), ...(c.client_id ? [c.client_id] : [])];
    if (c.iss !== this.expected.issuer || !audiences.some((a) => this.expected.audience.includes(a))) return undefined;
    if (c.exp * 1000 <= this.clock().getTime()) return undefined;
    return { id: `jwt:${c.sub}`, name: c.sub, scopes: scopesOf(c), created_at: new Date((c.iat ?? c.exp) * 1000).toISOString(), revoked_at: null };
  }

  private refuse(): never {
    throw new Errors.VisibleError("API_KEYS_NOT_USED", "this deployment authorises callers with tokens from its identity provider, not API keys");
  }

  async create(): Promise<never> {
    this.refuse();
  }

  async list(): Promise<User.ApiKeyInfo[]> {
    return [];
  }

  async revoke(): Promise<never> {
    this.refuse();
  }
}
