// Lists: the async iterator walks a 45-item list by cursor, each item once, and page mode
// answers the contract's pagination.

import assert from "node:assert/strict";
import { test } from "node:test";

import type { Followed } from "graphsvc-client";

import { member, newOrg } from "./helpers.js";

const N = 45;

test("paginate walks a 45-item list by cursor, each item once", async () => {
  const org = newOrg();
  const star = member(org, "usr_star");
  const fans = Array.from({ length: N }, (_, i) => `usr_fan${String(i).padStart(2, "0")}`);
  // One after another: every follow locks the star's node, so sending them at once only queues them.
  for (const fan of fans) await member(org, fan).follows.follow({ following: "usr_star" });

  const sent = star.attempts;
  const walked: Followed[] = [];
  for await (const f of star.paginate(star.follows.fetchFollowers, {}, { limit: 10 })) walked.push(f);
  assert.equal(star.attempts - sent, Math.ceil(N / 10), "one request per page of 10");
  assert.deepEqual(walked.map((f) => f.id).sort(), fans);
  assert.equal(new Set(walked.map((f) => f.id)).size, N);

  const first = await star.follows.fetchFollowers({ limit: 10 });
  assert.deepEqual([first.pagination.total, first.pagination.totalPages, first.pagination.hasMore], [N, 5, true]);
  assert.ok(first.pagination.nextCursor);
  const second = await star.follows.fetchFollowers({ limit: 10, cursor: first.pagination.nextCursor ?? undefined });
  assert.equal(second.pagination.page, undefined, "cursor answers carry no page number");
  assert.deepEqual(second.data.map((f) => f.id), walked.slice(10, 20).map((f) => f.id));
  const last = await star.follows.fetchFollowers({ page: 5, limit: 10 });
  assert.deepEqual([last.data.length, last.pagination.hasMore, last.pagination.nextCursor], [5, false, null]);

  // An empty list is walked in one request.
  const quiet = member(org, "usr_quiet");
  const nothing: Followed[] = [];
  for await (const f of quiet.paginate(quiet.follows.fetchFollowers)) nothing.push(f);
  assert.deepEqual([nothing, quiet.attempts], [[], 1]);
});
