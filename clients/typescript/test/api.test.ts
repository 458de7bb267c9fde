// The rest of the API through the client: follows and follow requests, settings, mutes,
// pages, posts and their audience, visibility (single and batch), blocks, graph reads
// and the event feed.

import assert from "node:assert/strict";
import { test } from "node:test";

import { ForbiddenError, NotFoundError, type Verdict } from "graphsvc-client";

import { member, newOrg, service, staff, thrown } from "./helpers.js";

test("follows, pages, protected accounts and follow requests", async () => {
  const org = newOrg();
  const admin = staff(org);
  const alice = member(org, "usr_alice", "alice@example.com");
  const carol = member(org, "usr_carol");

  const page = await admin.pages.put({ pageId: "design-guild", name: "Design Guild" });
  assert.deepEqual([page.id, page.name, page.followerCount], ["design-guild", "Design Guild", 0]);
  const followedPage = await alice.follows.follow({ following: "design-guild", followingType: "page" });
  assert.deepEqual([followedPage.created, followedPage.status], [true, "active"]);
  assert.equal((await alice.pages.get({ pageId: "design-guild" })).followerCount, 1);
  const bobByEmail = await alice.follows.follow({ following: "bob@example.com" });
  assert.equal(bobByEmail.following.email, "bob@example.com");
  assert.equal((await alice.follows.follow({ following: "bob@example.com" })).created, false);
  assert.deepEqual(await alice.follows.fetchStats(), { followers: 0, following: 2 });
  const following = await alice.follows.fetchFollowing({ followingType: "page" });
  assert.deepEqual(following.data.map((f) => [f.type, f.id]), [["page", "design-guild"]]);
  await alice.follows.unfollow({ followingId: "design-guild", followingType: "page" });
  assert.equal((await alice.pages.get({ pageId: "design-guild" })).followerCount, 0);

  assert.deepEqual(await carol.settings.put({ protected: true }), { protected: true });
  assert.deepEqual(await carol.settings.get(), { protected: true });
  const pending = await alice.follows.follow({ following: "usr_carol" });
  assert.deepEqual([pending.status, pending.created], ["pending", true]);
  assert.deepEqual((await alice.follows.fetchFollowing({ status: "pending" })).data.map((f) => f.id), ["usr_carol"]);
  assert.deepEqual((await carol.follows.fetchFollowRequests()).data.map((r) => r.user.id), ["usr_alice"]);
  await carol.follows.approveFollowRequest({ followerId: "usr_alice" });
  assert.deepEqual((await carol.follows.fetchFollowers()).data.map((f) => f.id), ["usr_alice"]);
  const none = await thrown(() => carol.follows.rejectFollowRequest({ followerId: "usr_alice" }));
  assert.ok(none instanceof NotFoundError && none.code === "follow_request_not_found");
  await carol.follows.removeFollower({ followerId: "usr_alice" });
  assert.equal((await carol.follows.fetchFollowers()).pagination.total, 0);

  const dave = member(org, "usr_dave");
  await dave.follows.follow({ following: "usr_erin" });
  await alice.follows.follow({ following: "usr_dave" });
  const familiar = await alice.follows.fetchFamiliarFollowers({ otherId: "usr_erin" });
  assert.deepEqual([familiar.pagination.total, familiar.data.map((p) => p.id)], [1, ["usr_dave"]]);
});

test("posts, visibility, mutes, blocks, graph reads and the audience walk", async () => {
  const org = newOrg();
  const svc = service(org);
  const admin = staff(org);
  const alice = member(org, "usr_alice");
  const bob = member(org, "usr_bob");
  const carol = member(org, "usr_carol");
  for (const [from, to] of [["usr_alice", "usr_bob"], ["usr_bob", "usr_carol"]] as const) {
    const req = await svc.users.requestConnection({ targetId: to, actingUserId: from });
    await svc.connections.acceptConnection({ connectionId: req.id, userId: to });
  }

  const post = await admin.posts.put({ postId: "post_1", authorId: "usr_alice", visibility: "connections" });
  assert.deepEqual([post.visibility, post.authorId], ["connections", "usr_alice"]);
  await admin.posts.put({ postId: "post_2", authorId: "usr_alice", visibility: "public" });
  const verdict: Verdict = await svc.visibility.canSee({ viewerId: "usr_bob", postId: "post_1" });
  assert.deepEqual(verdict, { visible: true, reason: "connection", muted: false });
  const batch = await svc.visibility.filterVisible({ viewerId: "usr_carol", postIds: ["post_1", "post_2", "post_x"] });
  assert.deepEqual(batch.results.map((r) => [r.postId, r.visible]),
    [["post_1", false], ["post_2", true], ["post_x", false]]);
  const inline = await svc.visibility.filterVisible({ viewerId: "usr_bob", posts: [
    { id: "ext_1", authorId: "usr_alice", visibility: "connections" },
    { id: "ext_2", authorId: "usr_carol", visibility: "private" }] });
  assert.deepEqual(inline.results.map((r) => r.visible), [true, false]);
  // Over the server's 1,000 per call: sent in chunks, answered as one list in the order asked.
  const many = Array.from({ length: 1001 }, (_, i) => (i === 1000 ? "post_2" : `post_none${i}`));
  const sent = svc.attempts;
  const chunked = await svc.visibility.filterVisible({ viewerId: "usr_carol", postIds: many });
  assert.equal(svc.attempts - sent, 2);
  assert.deepEqual(chunked.results.map((r) => r.postId), many);
  assert.deepEqual(chunked.results.filter((r) => r.visible).map((r) => r.postId), ["post_2"]);

  assert.equal((await bob.mutes.mute({ targetId: "usr_alice" })).created, true);
  assert.deepEqual((await bob.mutes.fetchMutes()).data.map((m) => m.id), ["usr_alice"]);
  assert.equal((await svc.visibility.canSee({ viewerId: "usr_bob", postId: "post_1" })).muted, true);
  const rel = await bob.graph.relationships({ userIds: ["usr_alice", "usr_nobody"] });
  assert.deepEqual(rel.data.map((r) => [r.userId, r.connection, r.muting]),
    [["usr_alice", "accepted", true], ["usr_nobody", "none", false]]);
  await bob.mutes.unmute({ targetId: "usr_alice" });
  assert.equal((await bob.mutes.fetchMutes()).pagination.total, 0);

  const degree = await alice.graph.degree({ userId: "usr_carol" });
  assert.deepEqual([degree.degree, degree.path.map((p) => p.id)], [2, ["usr_alice", "usr_bob", "usr_carol"]]);
  assert.equal((await alice.graph.degree({ userId: "usr_carol", maxDepth: 1 })).degree, null);
  const suggested = await alice.graph.suggestions();
  assert.deepEqual(suggested.data.map((s) => [s.user.id, s.mutualCount]), [["usr_carol", 1]]);
  assert.deepEqual((await alice.graph.mutual({ userId: "usr_carol" })).data.map((p) => p.id), ["usr_bob"]);

  // Fan-out: the audience of a public post, walked by cursor a few members at a time.
  const fans = Array.from({ length: 7 }, (_, i) => `usr_fan${i}`);
  await Promise.all(fans.map((fan) => member(org, fan).follows.follow({ following: "usr_alice" })));
  const walked = [];
  for await (const m of admin.paginate(admin.posts.audience, { postId: "post_2" }, { limit: 3 })) walked.push(m);
  assert.deepEqual(walked.map((m) => m.userId).sort(), [...fans, "usr_bob"].sort());
  assert.deepEqual(new Set(walked.map((m) => m.reason)), new Set(["connection", "follower"]));
  // @ts-expect-error: the audience needs its postId, and the walk says so at compile time
  const unnamed = () => admin.paginate(admin.posts.audience);
  assert.equal(typeof unnamed, "function");
  const first = await admin.posts.audience({ postId: "post_2", limit: 100 });
  assert.equal(first.nextCursor, null);
  await admin.posts.delete({ postId: "post_2" });
  const deleted = await thrown(() => admin.posts.audience({ postId: "post_2" }));
  assert.ok(deleted instanceof NotFoundError && deleted.code === "post_not_found");

  const block = await carol.blocks.block({ targetId: "usr_bob" });
  assert.deepEqual([block.created, block.blocked.id], [true, "usr_bob"]);
  assert.deepEqual((await carol.blocks.fetchBlocks()).data.map((b) => b.id), ["usr_bob"]);
  assert.deepEqual(await bob.connections.fetchConnectionsCount(), { count: 1 });
  const blocked = await thrown(() => bob.users.requestConnection({ targetId: "usr_carol" }));
  assert.ok(blocked instanceof ForbiddenError && blocked.code === "blocked");
  await carol.blocks.unblock({ targetId: "usr_bob" });
  assert.deepEqual((await carol.blocks.fetchBlocks()).data, []);

  // Every change above wrote its event; read them back in order, filtered by type.
  const feed = await admin.events.fetchEvents({ types: ["block.created", "block.deleted"] });
  assert.deepEqual(feed.data.map((e) => [e.type, e.actor, e.subject]),
    [["block.created", "usr_carol", "usr_bob"], ["block.deleted", "usr_carol", "usr_bob"]]);
  const rest = await admin.events.fetchEvents({ after: feed.next });
  assert.equal(rest.hasMore, false);
  assert.ok(rest.data.every((e) => e.cursor > feed.next));
});
