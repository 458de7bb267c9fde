// The SDK seed's connections module, each of its calls against the real service: a member's
// own token, and a service key acting for members as the seed describes.

import assert from "node:assert/strict";
import { test } from "node:test";

import { ConflictError, ForbiddenError, NotFoundError, type EstablishedConnection } from "graphsvc-client";

import { member, newOrg, service, thrown } from "./helpers.js";

test("a member's handshake uses every seed-named call", async () => {
  const org = newOrg();
  const alice = member(org, "usr_alice", "alice@example.com");
  const bob = member(org, "usr_bob");

  const req = await alice.users.requestConnection({
    targetId: "usr_bob", message: "Hi Bob — saw your design talk.", context: { event: "figma-conf-2026" },
  });
  assert.deepEqual([req.status, req.requesterId, req.requesterEmail, req.targetId],
    ["pending", "usr_alice", "alice@example.com", "usr_bob"]);
  assert.deepEqual(req.context, { event: "figma-conf-2026" });
  assert.equal(req.respondedAt, null);

  const again = await thrown(() => alice.users.requestConnection({ targetId: "usr_bob" }));
  assert.ok(again instanceof ConflictError);
  assert.deepEqual([again.status, again.code], [409, "already_pending"]);

  const received = await bob.connections.fetchReceivedPendingConnections({ page: 1, limit: 20 });
  assert.equal(received.pagination.total, 1);
  assert.deepEqual(received.data.map((c) => [c.id, c.user.id]), [[req.id, "usr_alice"]]);
  const sent = await alice.connections.fetchSentPendingConnections();
  assert.deepEqual(sent.data.map((c) => c.id), [req.id]);
  assert.deepEqual(await bob.users.fetchConnectionStatus({ userId: "usr_alice" }),
    { status: "pending_received", connectionId: req.id });

  const notYours = await thrown(() => alice.connections.acceptConnection({ connectionId: req.id }));
  assert.ok(notYours instanceof ForbiddenError);
  assert.equal(notYours.code, "not_target");
  const accepted = await bob.connections.acceptConnection({ connectionId: req.id });
  assert.equal(accepted.status, "accepted");
  assert.ok(accepted.respondedAt);
  const late = await thrown(() => bob.connections.declineConnection({ connectionId: req.id }));
  assert.ok(late instanceof ConflictError && late.code === "not_pending");

  const listed = await alice.connections.fetchConnections();
  const first: EstablishedConnection | undefined = listed.data[0];
  assert.equal(first?.user.id, "usr_bob");
  assert.deepEqual(await alice.connections.fetchConnectionsCount(), { count: 1 });
  assert.deepEqual(await bob.connections.fetchStats(), { total: 1, accepted: 1, pending: 0, sent: 0 });

  await bob.users.removeConnectionByUserId({ userId: "usr_alice" });
  assert.equal((await alice.users.fetchConnectionStatus({ userId: "usr_bob" })).status, "none");
  const gone = await thrown(() => bob.connections.removeConnection({ connectionId: req.id }));
  assert.ok(gone instanceof NotFoundError && gone.code === "connection_not_found");
});

test("a service key acts for the member named by userId", async () => {
  const org = newOrg();
  const svc = service(org);
  const req = await svc.users.requestConnection({ targetId: "usr_bob", actingUserId: "usr_abc123" });
  assert.equal(req.requesterId, "usr_abc123");
  const received = await svc.connections.fetchReceivedPendingConnections({ userId: "usr_bob", page: 1, limit: 20 });
  assert.deepEqual(received.data.map((c) => c.id), [req.id]);
  const declined = await svc.connections.declineConnection({ connectionId: req.id, userId: "usr_bob" });
  assert.equal(declined.status, "rejected");
  const rejected = await svc.connections.fetchConnections({ userId: "usr_abc123", status: "rejected" });
  assert.deepEqual(rejected.data.map((c) => c.id), [req.id]);

  // The client's own userId is the default acting member; a call's own wins.
  const asCarol = service(org, "usr_carol");
  const toDan = await asCarol.users.requestConnection({ targetId: "usr_dan" });
  assert.equal(toDan.requesterId, "usr_carol");
  assert.equal((await asCarol.connections.acceptConnection({ connectionId: toDan.id, userId: "usr_dan" })).status,
    "accepted");
  assert.deepEqual(await asCarol.connections.fetchConnectionsCount(), { count: 1 });
  assert.deepEqual(await asCarol.connections.fetchConnectionsCount({ userId: "usr_dan" }), { count: 1 });
  await asCarol.connections.removeConnection({ connectionId: toDan.id });
  assert.deepEqual(await asCarol.connections.fetchConnectionsCount({ userId: "usr_dan" }), { count: 0 });

  const pending = await Promise.all(["usr_e1", "usr_e2", "usr_e3"].map(
    (from) => svc.users.requestConnection({ targetId: "usr_erin", actingUserId: from })));
  assert.deepEqual(await svc.connections.acceptAll({ userId: "usr_erin" }), { accepted: pending.length });
  assert.deepEqual(await svc.connections.fetchStats({ userId: "usr_erin" }),
    { total: 3, accepted: 3, pending: 0, sent: 0 });
});
