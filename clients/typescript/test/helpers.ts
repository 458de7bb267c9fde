// What every test needs: the server the suite started (GRAPHSVC_URL), tokens minted with
// its secret, and a fresh org per test so that nothing another test did is visible.

import { createHmac, randomUUID } from "node:crypto";

import { GraphsvcClient, type ClientOptions } from "graphsvc-client";

export function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run these tests through tests/test_typescript_client.py (make test)`);
  }
  return value;
}

export const BASE_URL = env("GRAPHSVC_URL").replace(/\/+$/, "");
const SECRET = env("GRAPHSVC_JWT_SECRET");

type Role = "customer" | "staff" | "service" | "analyst";

const b64url = (data: string | Buffer) => Buffer.from(data).toString("base64url");

/** An HS256 JWT with the claims graphsvc reads (sub, org, role, email, exp). */
export function mint(sub: string, org: string, role: Role = "customer", email?: string, ttlSeconds = 3600): string {
  const claims = { sub, org, role, exp: Math.floor(Date.now() / 1000) + ttlSeconds, ...(email && { email }) };
  const unsigned = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(claims))}`;
  return `${unsigned}.${createHmac("sha256", SECRET).update(unsigned).digest("base64url")}`;
}

export function newOrg(): string {
  return `org-${randomUUID().slice(0, 12)}`;
}

type Extra = Partial<Omit<ClientOptions, "org" | "token">>;

/** A member's own client (a customer token acts as its `sub`). */
export function member(org: string, sub: string, email?: string, extra: Extra = {}): GraphsvcClient {
  return new GraphsvcClient({ baseUrl: BASE_URL, org, token: mint(sub, org, "customer", email), ...extra });
}

/** A service key, acting for `userId` on every member call when given (the seed's model). */
export function service(org: string, userId?: string, extra: Extra = {}): GraphsvcClient {
  return new GraphsvcClient({ baseUrl: BASE_URL, org, token: mint("svc_feed", org, "service"), userId, ...extra });
}

export function staff(org: string, extra: Extra = {}): GraphsvcClient {
  return new GraphsvcClient({ baseUrl: BASE_URL, org, token: mint("staff_1", org, "staff"), ...extra });
}

/** Runs `fn` and returns what it threw; fails when it did not throw. */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected an error, got none");
}
