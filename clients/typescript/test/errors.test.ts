// Typed errors: one class per status family, each carrying the server's code, provoked
// against real servers (the suite's, one with low caps, one whose Neo4j is down).

import assert from "node:assert/strict";
import { createServer } from "node:net";
import { test } from "node:test";

import {
  BadRequestError,
  BY_STATUS,
  ConflictError,
  errorFor,
  ERROR_CODES,
  ForbiddenError,
  GraphsvcClient,
  GraphsvcError,
  LimitReachedError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  ServerError,
  TransportError,
  UnauthorizedError,
  UnavailableError,
  UnprocessableError,
} from "graphsvc-client";

import { BASE_URL, env, member, mint, newOrg, thrown } from "./helpers.js";

// A server with GRAPHSVC_MAX_FOLLOWS=2, and one whose Neo4j is unreachable.
const LIMITED_URL = env("GRAPHSVC_LIMITED_URL");
const DEAD_URL = env("GRAPHSVC_DEAD_URL");

async function expectError<E extends GraphsvcError>(cls: abstract new (...args: never[]) => E, status: number,
  code: string, call: () => Promise<unknown>): Promise<E> {
  const err = await thrown(call);
  assert.ok(err instanceof cls, `expected ${cls.name} ${code}, got ${String(err)}`);
  assert.ok(err instanceof GraphsvcError);
  assert.deepEqual([err.status, err.code], [status, code]);
  assert.ok(err.message.length > 0);
  return err;
}

test("4xx from the service: one class per family, the server's code on each", async () => {
  const org = newOrg();
  const alice = member(org, "usr_alice", "alice@example.com");

  await expectError(BadRequestError, 400, "self_connection",
    () => alice.users.requestConnection({ targetId: "alice@example.com" }));
  await expectError(BadRequestError, 400, "validation_error", () => alice.connections.fetchConnections({ limit: 101 }));
  await expectError(BadRequestError, 400, "bad_cursor", () => alice.connections.fetchConnections({ cursor: "nope" }));
  const notJwt = new GraphsvcClient({ baseUrl: BASE_URL, org, token: "not-a-jwt" });
  await expectError(UnauthorizedError, 401, "invalid_token", () => notJwt.follows.fetchStats());
  const expired = new GraphsvcClient({ baseUrl: BASE_URL, org, token: mint("usr_alice", org, "customer", undefined, -60) });
  await expectError(UnauthorizedError, 401, "token_expired", () => expired.follows.fetchStats());
  const elsewhere = new GraphsvcClient({ baseUrl: BASE_URL, org: newOrg(), token: mint("usr_alice", org) });
  await expectError(ForbiddenError, 403, "org_mismatch", () => elsewhere.follows.fetchStats());
  await expectError(ForbiddenError, 403, "forbidden", () => alice.pages.put({ pageId: "p", name: "Mine" }));
  await expectError(NotFoundError, 404, "connection_not_found",
    () => alice.connections.removeConnection({ connectionId: "con_missing" }));
  await expectError(NotFoundError, 404, "page_not_found", () => alice.pages.get({ pageId: "nowhere" }));
  await expectError(MethodNotAllowedError, 405, "method_not_allowed",
    () => alice.request({ method: "POST", path: "/client/community/followers" }));
  await alice.users.requestConnection({ targetId: "usr_bob" });
  const conflict = await expectError(ConflictError, 409, "already_pending",
    () => alice.users.requestConnection({ targetId: "usr_bob" }));
  assert.match(conflict.requestId ?? "", /\S/, "the answer's x-request-id is kept on the error");
  await expectError(PayloadTooLargeError, 413, "payload_too_large",
    () => alice.users.requestConnection({ targetId: "usr_carol", context: { pad: "x".repeat(1_100_000) } }));

  // A slash in an id could reach another route: refused before anything is sent.
  const sent = alice.attempts;
  await expectError(BadRequestError, 400, "invalid_id", () => alice.connections.removeConnection({ connectionId: "con_x/respond" }));
  assert.equal(alice.attempts, sent);
  // Failed calls changed nothing.
  assert.deepEqual(await alice.connections.fetchStats(), { total: 1, accepted: 0, pending: 0, sent: 1 });
});

test("429 when a member reaches a cap", async () => {
  const org = newOrg();
  const capped = new GraphsvcClient({ baseUrl: LIMITED_URL, org, token: mint("usr_alice", org) });
  await capped.follows.follow({ following: "usr_b1" });
  await capped.follows.follow({ following: "usr_b2" });
  await expectError(LimitReachedError, 429, "follow_limit", () => capped.follows.follow({ following: "usr_b3" }));
});

test("503 is retried with back-off, then raised", async () => {
  const org = newOrg();
  const client = new GraphsvcClient({ baseUrl: DEAD_URL, org, token: mint("usr_alice", org), retries: 2, backoffMs: 10 });
  const before = await served503s(DEAD_URL, "/client/community/connections/count");
  await expectError(UnavailableError, 503, "database_unavailable", () => client.connections.fetchConnectionsCount());
  assert.equal(client.attempts, 3);
  assert.equal(await served503s(DEAD_URL, "/client/community/connections/count"), before + 3);
  // What retrying cannot fix is raised at once.
  const bad = new GraphsvcClient({ baseUrl: DEAD_URL, org, token: "nope", retries: 2, backoffMs: 10 });
  await expectError(UnauthorizedError, 401, "invalid_token", () => bad.follows.fetchStats());
  assert.equal(bad.attempts, 1);
});

test("an unreachable service is a TransportError, after retrying the refused connection", async () => {
  const port = await freePort();
  const client = new GraphsvcClient({ baseUrl: `http://127.0.0.1:${port}`, org: "o", token: "t", retries: 1,
    backoffMs: 10 });
  const err = await thrown(() => client.follows.fetchStats());
  assert.ok(err instanceof TransportError, String(err));
  assert.equal(client.attempts, 2);
});

test("statuses the service never sends on purpose still map to their family", () => {
  assert.ok(errorFor(422, null) instanceof UnprocessableError);
  assert.ok(errorFor(500, { error: { code: "internal", message: "internal error" } }) instanceof ServerError);
  assert.ok(errorFor(502, "<html>bad gateway</html>") instanceof ServerError);
  assert.ok(errorFor(418, null) instanceof BadRequestError);
  const unknown = errorFor(409, { error: { code: "some_new_code", message: "new" } });
  assert.ok(unknown instanceof ConflictError);
  assert.deepEqual([unknown.code, unknown.message], ["some_new_code", "new"]);
  for (const [code, status] of Object.entries(ERROR_CODES)) {
    const err = errorFor(status, { error: { code, message: code } });
    assert.ok(err instanceof (BY_STATUS[status] ?? GraphsvcError), code);
    assert.equal(err.code, code);
  }
});

async function served503s(url: string, route: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("graphsvc_requests_total{") && l.includes(`route="${route}"`)
    && l.includes('status="503"'));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
