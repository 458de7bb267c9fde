// graphsvc over HTTP with fetch: the namespaces and names of the Python client
// (graphsvc/client/_base.py), which follow the SDK seed (004) where it names a call:
// `client.connections.fetchConnections({ userId, page, limit })`,
// `client.users.requestConnection({ targetId, actingUserId })`.

import { BadRequestError, errorFor, TransportError } from "./errors.js";
import type {
  Acting,
  ActingAs,
  AnswerOf,
  Audience,
  BodyOf,
  InlinePost,
  Operation,
  PageParams,
  PaginatedResponse,
  QueryOf,
  VisibilityBatch,
} from "./types.js";

export const MEMBER_CONNECTIONS = "/client/community/connections";
export const STAFF_CONNECTIONS = "/community/connections";
/** The server answers at most this many posts per visibility call; longer lists go in chunks. */
export const VISIBILITY_BATCH = 1000;

export interface ClientOptions {
  /** Where graphsvc answers, e.g. `http://127.0.0.1:8000`. */
  baseUrl: string;
  /** The tenant: sent as the `orgid` header, and must equal the token's `org` claim. */
  org: string;
  /** A JWT, or a function returning one (called per request, so it may refresh). */
  token: string | (() => string | Promise<string>);
  /**
   * The member a service or staff token acts for on every call that acts as a member, as
   * the seed's service key does; a call's own `userId` (or `actingUserId`) overrides it.
   */
  userId?: string | undefined;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** How many times a 503 or a refused connection is tried again. Default 3. */
  retries?: number;
  /** First back-off; it doubles per retry, with jitter, up to `maxBackoffMs`. Default 250 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Which connections controller to call; by default the staff one when `userId` is set. */
  connectionsPrefix?: string;
  /** A fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

type Method = "GET" | "POST" | "PUT" | "DELETE";
type QueryValue = string | number | boolean | null | undefined;

/** One HTTP call, described; the client sends it. */
interface Call {
  method: Method;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

/** What a list call takes besides the part of the list (required where the call requires it). */
export type ListParams<P> = Omit<P, "page" | "cursor" | "limit">;

/** A page of any list: `{data, pagination}` or the post audience's `{data, nextCursor}`. */
export type AnyPage<T> = PaginatedResponse<T> | { data: T[]; nextCursor: string | null };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One path segment, quoted so that `?` or `#` cannot change the route. The server decodes
 * `%2F` before routing, so a `/` could reach another route: no valid id or email has one,
 * so such a value is refused here with the error the server would give. */
export function seg(value: string): string {
  const text = String(value);
  if (!text || text.includes("/") || text === "." || text === "..") {
    throw new BadRequestError(`${JSON.stringify(text)} is not a valid id: 1-128 letters, digits or _ - . :`,
      { status: 400, code: "invalid_id" });
  }
  return encodeURIComponent(text).replace(/%40/g, "@").replace(/%3A/g, ":");
}

/** Refused before the request reached the service: safe to send again. */
function neverReached(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } })?.cause?.code;
  return code === "ECONNREFUSED" || code === "UND_ERR_CONNECT_TIMEOUT";
}

function transportError(err: unknown, call: Call): TransportError {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const why = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
  return new TransportError(`${(err as Error)?.name ?? "Error"}: ${String(why)}`, { method: call.method, url: call.path });
}

export class GraphsvcClient {
  readonly baseUrl: string;
  readonly org: string;
  readonly userId: string | undefined;
  /** HTTP requests sent, retries included. */
  attempts = 0;

  readonly connections: Connections;
  readonly users: Users;
  readonly follows: Follows;
  readonly pages: Pages;
  readonly posts: Posts;
  readonly visibility: Visibility;
  readonly blocks: Blocks;
  readonly graph: Graph;
  readonly settings: MemberSettings;
  readonly mutes: Mutes;
  readonly events: Events;

  readonly #token: ClientOptions["token"];
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #fetch: typeof fetch;
  readonly #connectionsPrefix: string | undefined;

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.org = options.org;
    this.userId = options.userId;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retries = options.retries ?? 3;
    this.#backoffMs = options.backoffMs ?? 250;
    this.#maxBackoffMs = options.maxBackoffMs ?? 8_000;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#connectionsPrefix = options.connectionsPrefix;
    this.connections = new Connections(this);
    this.users = new Users(this);
    this.follows = new Follows(this);
    this.pages = new Pages(this);
    this.posts = new Posts(this);
    this.visibility = new Visibility(this);
    this.blocks = new Blocks(this);
    this.graph = new Graph(this);
    this.settings = new MemberSettings(this);
    this.mutes = new Mutes(this);
    this.events = new Events(this);
  }

  /** A client acting for members uses the staff controller, as the seed's service key does;
   * member tokens use the members' mirror. */
  get connectionsPrefix(): string {
    return this.#connectionsPrefix ?? (this.userId ? STAFF_CONNECTIONS : MEMBER_CONNECTIONS);
  }

  /**
   * Every item of a list, page after page by cursor, so that items added or removed
   * meanwhile are neither skipped nor repeated:
   * `for await (const c of client.paginate(client.connections.fetchConnections, { userId }))`.
   */
  async *paginate<P extends PageParams, T>(
    fetchPage: (params: P) => Promise<AnyPage<T>>,
    ...[params, options]: {} extends ListParams<P>
      ? [params?: ListParams<P>, options?: { limit?: number }]
      : [params: ListParams<P>, options?: { limit?: number }]
  ): AsyncGenerator<T, void, undefined> {
    let cursor: string | undefined;
    do {
      const page = await fetchPage({ ...params, limit: options?.limit ?? 100, cursor } as P);
      yield* page.data;
      const next = "pagination" in page ? page.pagination.nextCursor : page.nextCursor;
      cursor = next && page.data.length > 0 ? next : undefined;
    } while (cursor !== undefined);
  }

  /** Sends a call (retrying 503s and refused connections) and returns its parsed answer. */
  async request<T>(call: Call): Promise<T> {
    const url = this.#url(call);
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    for (let attempt = 0; ; attempt++) {
      let response: Response | undefined;
      try {
        this.attempts++;
        response = await this.#fetch(url, {
          method: call.method,
          headers: await this.#headers(body !== undefined),
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
      } catch (err) {
        if (!neverReached(err) || attempt >= this.#retries) throw transportError(err, call);
      }
      if (response !== undefined) {
        if (response.status !== 503 || attempt >= this.#retries) return this.#parse<T>(call, response);
        await response.body?.cancel();
      }
      await sleep(this.#delay(attempt, response));
    }
  }

  #url(call: Call): string {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== null) query.set(key, String(value));
    }
    const qs = query.toString();
    return this.baseUrl + call.path + (qs ? `?${qs}` : "");
  }

  async #headers(json: boolean): Promise<Record<string, string>> {
    const token = typeof this.#token === "function" ? await this.#token() : this.#token;
    const headers: Record<string, string> = { orgid: this.org, authorization: `Bearer ${token}`, accept: "application/json" };
    if (json) headers["content-type"] = "application/json";
    return headers;
  }

  /** Exponential back-off with jitter; a Retry-After header, when given in seconds, wins. */
  #delay(attempt: number, response: Response | undefined): number {
    const after = Number(response?.headers.get("retry-after") ?? NaN);
    if (Number.isFinite(after) && after >= 0) return Math.min(after * 1000, this.#maxBackoffMs);
    const base = Math.min(this.#backoffMs * 2 ** attempt, this.#maxBackoffMs);
    return base / 2 + Math.random() * (base / 2);
  }

  async #parse<T>(call: Call, response: Response): Promise<T> {
    if (response.status >= 400) {
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON (a proxy's page, say): the error still has its status class
      }
      throw errorFor(response.status, body, call.method, call.path, response.headers.get("x-request-id"));
    }
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
}

/** A group of calls. Methods are bound, so `client.paginate(client.follows.fetchFollowers)` works. */
abstract class Namespace {
  protected readonly client: GraphsvcClient;

  constructor(client: GraphsvcClient) {
    this.client = client;
    const self = this as unknown as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(this))) {
      const member = self[name];
      if (name !== "constructor" && typeof member === "function") self[name] = member.bind(this);
    }
  }

  protected acting(userId: string | undefined): string | undefined {
    return userId ?? this.client.userId;
  }

  protected call<O extends Operation>(
    method: Method, path: string, query?: Record<string, QueryValue>, body?: unknown,
  ): Promise<AnswerOf<O>> {
    return this.client.request<AnswerOf<O>>({ method, path, ...(query && { query }), ...(body !== undefined && { body }) });
  }
}

type ConnectionList = Acting & PageParams;

/** The SDK seed's `connections` module: each call acts for `userId` (default: the client's;
 * member tokens may leave it out). */
export class Connections extends Namespace {
  fetchConnections(p: Acting & QueryOf<"list_connections_client_community_connections"> & PageParams = {}) {
    return this.call<"list_connections_client_community_connections">("GET", this.client.connectionsPrefix,
      { userId: this.acting(p.userId), page: p.page, limit: p.limit, cursor: p.cursor, status: p.status });
  }

  fetchConnectionsCount(p: Acting = {}) {
    return this.call<"count_client_community_connections_count">("GET", `${this.client.connectionsPrefix}/count`,
      { userId: this.acting(p.userId) });
  }

  fetchSentPendingConnections(p: ConnectionList = {}) {
    return this.call<"sent_client_community_connections_sent">("GET", `${this.client.connectionsPrefix}/sent`,
      { userId: this.acting(p.userId), page: p.page, limit: p.limit, cursor: p.cursor });
  }

  fetchReceivedPendingConnections(p: ConnectionList = {}) {
    return this.call<"pending_client_community_connections_pending">("GET",
      `${this.client.connectionsPrefix}/pending`, { userId: this.acting(p.userId), page: p.page, limit: p.limit,
        cursor: p.cursor });
  }

  acceptConnection(p: Acting & { connectionId: string }) {
    return this.#respond(p.connectionId, "accept", p.userId);
  }

  declineConnection(p: Acting & { connectionId: string }) {
    return this.#respond(p.connectionId, "reject", p.userId);
  }

  /** Withdraws a pending request or removes an established connection. */
  removeConnection(p: Acting & { connectionId: string }): Promise<void> {
    return this.call<"remove_client_community_connections_id">("DELETE",
      `${this.client.connectionsPrefix}/${seg(p.connectionId)}`, { userId: this.acting(p.userId) });
  }

  /** accepted, pending (received), sent (pending), and total = their sum. */
  fetchStats(p: Acting = {}) {
    return this.call<"stats_client_community_connections_stats">("GET", `${this.client.connectionsPrefix}/stats`,
      { userId: this.acting(p.userId) });
  }

  /** Accepts every pending request received, in one transaction. */
  acceptAll(p: Acting = {}) {
    const body: BodyOf<"accept_all_client_community_connections_accept_all"> = { userId: this.acting(p.userId) };
    return this.call<"accept_all_client_community_connections_accept_all">("POST",
      `${this.client.connectionsPrefix}/accept-all`, undefined, body);
  }

  #respond(connectionId: string, action: "accept" | "reject", userId: string | undefined) {
    const body: BodyOf<"respond_client_community_connections_id_respond"> = { action, userId: this.acting(userId) };
    return this.call<"respond_client_community_connections_id_respond">("PUT",
      `${this.client.connectionsPrefix}/${seg(connectionId)}/respond`, undefined, body);
  }
}

/** The SDK seed's nested `users` routes: the other person is `userId` (or `targetId`), the
 * acting member `actingUserId` (default: the client's `userId`). */
export class Users extends Namespace {
  /** A pending request; if the target had already asked, theirs is accepted instead (status `accepted`). */
  requestConnection(p: ActingAs & { targetId: string; message?: string; context?: Record<string, unknown> }) {
    const body: BodyOf<"request_client_community_connections_request"> = {
      targetId: p.targetId, message: p.message, context: p.context, userId: this.acting(p.actingUserId),
    };
    return this.call<"request_client_community_connections_request">("POST",
      `${this.client.connectionsPrefix}/request`, undefined, body);
  }

  fetchConnectionStatus(p: ActingAs & { userId: string }) {
    return this.call<"status_client_community_connections_status_userid">("GET",
      `${this.client.connectionsPrefix}/status/${seg(p.userId)}`, { userId: this.acting(p.actingUserId) });
  }

  removeConnectionByUserId(p: ActingAs & { userId: string }): Promise<void> {
    return this.call<"remove_with_client_community_connections_user_userid">("DELETE",
      `${this.client.connectionsPrefix}/user/${seg(p.userId)}`, { userId: this.acting(p.actingUserId) });
  }
}

/** One-way follows of people (id or email) and pages, and follow requests to protected people. */
export class Follows extends Namespace {
  /** `created` is false when the follow already existed; `status` is `pending` when the person
   * is protected and must approve. */
  follow(p: Acting & { following: string; followingType?: "person" | "page" }) {
    const body: BodyOf<"follow"> = { following: p.following, followingType: p.followingType ?? "person",
      userId: this.acting(p.userId) };
    return this.call<"follow">("POST", "/client/community/follow", undefined, body);
  }

  /** Unfollows, or withdraws one's own pending request. */
  unfollow(p: Acting & QueryOf<"unfollow"> & { followingId: string }): Promise<void> {
    return this.call<"unfollow">("DELETE", `/client/community/follow/${seg(p.followingId)}`,
      { followingType: p.followingType, userId: this.acting(p.userId ?? undefined) });
  }

  fetchFollowers(p: Acting & PageParams = {}) {
    return this.call<"followers">("GET", "/client/community/followers",
      { userId: this.acting(p.userId), page: p.page, limit: p.limit, cursor: p.cursor });
  }

  /** `status: "pending"`: one's own requests to protected people not yet approved. */
  fetchFollowing(p: Acting & PageParams & { followingType?: "person" | "page"; status?: "active" | "pending" } = {}) {
    return this.call<"following">("GET", "/client/community/following", {
      userId: this.acting(p.userId), followingType: p.followingType, status: p.status, page: p.page, limit: p.limit,
      cursor: p.cursor,
    });
  }

  /** Follow requests received by a protected member, newest first. */
  fetchFollowRequests(p: Acting & PageParams = {}) {
    return this.call<"follow_requests">("GET", "/client/community/follow-requests",
      { userId: this.acting(p.userId), page: p.page, limit: p.limit, cursor: p.cursor });
  }

  approveFollowRequest(p: Acting & { followerId: string }): Promise<void> {
    return this.call<"approve">("POST", `/client/community/follow-requests/${seg(p.followerId)}/approve`,
      { userId: this.acting(p.userId) });
  }

  rejectFollowRequest(p: Acting & { followerId: string }): Promise<void> {
    return this.call<"reject">("POST", `/client/community/follow-requests/${seg(p.followerId)}/reject`,
      { userId: this.acting(p.userId) });
  }

  /** Removes that person's follow (or pending request) without blocking them. */
  removeFollower(p: Acting & { followerId: string }): Promise<void> {
    return this.call<"remove_follower">("DELETE", `/client/community/followers/${seg(p.followerId)}`,
      { userId: this.acting(p.userId) });
  }

  /** The people the acting member follows who follow `otherId`. */
  fetchFamiliarFollowers(p: Acting & PageParams & { otherId: string }) {
    return this.call<"familiar_followers">("GET", `/client/community/familiar-followers/${seg(p.otherId)}`,
      { userId: this.acting(p.userId), page: p.page, limit: p.limit, cursor: p.cursor });
  }

  fetchStats(p: Acting = {}) {
    return this.call<"follow_stats">("GET", "/client/community/follow/stats", { userId: this.acting(p.userId) });
  }
}

export class Pages extends Namespace {
  /** Registers or renames a page (staff and service tokens). */
  put(p: { pageId: string } & BodyOf<"put_page">) {
    const body: BodyOf<"put_page"> = { name: p.name };
    return this.call<"put_page">("PUT", `/community/pages/${seg(p.pageId)}`, undefined, body);
  }

  get(p: { pageId: string }) {
    return this.call<"get_page">("GET", `/community/pages/${seg(p.pageId)}`);
  }
}

export class Posts extends Namespace {
  /** Registers (or re-registers) a post the feed will ask about (staff and service tokens). */
  put(p: { postId: string } & BodyOf<"put_post">) {
    const body: BodyOf<"put_post"> = { authorId: p.authorId, visibility: p.visibility, pageId: p.pageId };
    return this.call<"put_post">("PUT", `/community/posts/${seg(p.postId)}`, undefined, body);
  }

  /** One page of the post's audience for fan-out; pass `nextCursor` back until it is null
   * (or walk it all with `client.paginate(client.posts.audience, { postId })`). */
  audience(p: { postId: string; limit?: number; cursor?: string | undefined }): Promise<Audience> {
    return this.call<"audience">("GET", `/community/posts/${seg(p.postId)}/audience`,
      { limit: p.limit, cursor: p.cursor });
  }

  delete(p: { postId: string }): Promise<void> {
    return this.call<"delete_post">("DELETE", `/community/posts/${seg(p.postId)}`);
  }
}

export class Visibility extends Namespace {
  canSee(p: QueryOf<"can_see">) {
    return this.call<"can_see">("GET", "/community/visibility", { viewerId: p.viewerId, postId: p.postId });
  }

  /** Verdicts for stored posts (`postIds`) or posts described inline (`posts`), in the order
   * given. Lists over 1,000 are sent as several calls, one round trip each. */
  async filterVisible(p: { viewerId: string } & ({ postIds: string[] } | { posts: InlinePost[] })):
    Promise<VisibilityBatch> {
    const [key, items] = "postIds" in p ? ["postIds", p.postIds] as const : ["posts", p.posts] as const;
    const results: VisibilityBatch["results"] = [];
    let start = 0;
    do {
      const body = { viewerId: p.viewerId, [key]: items.slice(start, start + VISIBILITY_BATCH) } as BodyOf<"can_see_batch">;
      results.push(...(await this.call<"can_see_batch">("POST", "/community/visibility", undefined, body)).results);
      start += VISIBILITY_BATCH;
    } while (start < items.length);
    return { viewerId: p.viewerId, results };
  }
}

export class Blocks extends Namespace {
  /** Removes follows both ways and any connection; `created` is false if already blocked. */
  block(p: Acting & { targetId: string }) {
    const body: BodyOf<"block"> = { targetId: p.targetId, userId: this.acting(p.userId) };
    return this.call<"block">("POST", "/client/community/blocks", undefined, body);
  }

  unblock(p: Acting & { targetId: string }): Promise<void> {
    return this.call<"unblock">("DELETE", `/client/community/blocks/${seg(p.targetId)}`,
      { userId: this.acting(p.userId) });
  }

  fetchBlocks(p: Acting & PageParams = {}) {
    return this.call<"list_blocks">("GET", "/client/community/blocks",
      { userId: this.acting(p.userId), page: p.page, limit: p.limit, cursor: p.cursor });
  }
}

/** Traversals between the acting member and another person named by `userId`. */
export class Graph extends Namespace {
  /** Accepted connections the two have in common; `pagination.total` is their count. */
  mutual(p: ActingAs & PageParams & { userId: string }) {
    return this.call<"mutual_client_community_connections_mutual_userid">("GET",
      `${this.client.connectionsPrefix}/mutual/${seg(p.userId)}`,
      { userId: this.acting(p.actingUserId), page: p.page, limit: p.limit, cursor: p.cursor });
  }

  /** Degrees of separation over accepted connections, at most `maxDepth` hops (1-6, default 3). */
  degree(p: ActingAs & { userId: string; maxDepth?: number }) {
    return this.call<"degree">("GET", `/client/community/degree/${seg(p.userId)}`,
      { userId: this.acting(p.actingUserId), maxDepth: p.maxDepth });
  }

  /** Where the acting member stands with each of up to 100 people, in one call. */
  relationships(p: ActingAs & { userIds: string[] }) {
    return this.call<"get_relationships">("GET", "/client/community/relationships",
      { ids: p.userIds.join(","), userId: this.acting(p.actingUserId) });
  }

  /** Friends of friends, ranked by mutual connections. */
  suggestions(p: ActingAs & PageParams = {}) {
    return this.call<"suggestions">("GET", "/client/community/suggestions",
      { userId: this.acting(p.actingUserId), page: p.page, limit: p.limit, cursor: p.cursor });
  }
}

/** The acting member's settings: whether their account is protected. */
export class MemberSettings extends Namespace {
  get(p: Acting = {}) {
    return this.call<"get_settings">("GET", "/client/community/settings", { userId: this.acting(p.userId) });
  }

  /** `protected: false` approves every pending follow request at once. */
  put(p: Acting & { protected: boolean }) {
    const body: BodyOf<"put_settings"> = { protected: p.protected };
    return this.call<"put_settings">("PUT", "/client/community/settings", { userId: this.acting(p.userId) }, body);
  }
}

/** Private feed preferences: a mute changes no follow or connection and tells nobody. */
export class Mutes extends Namespace {
  mute(p: Acting & { targetId: string }) {
    const body: BodyOf<"mute"> = { targetId: p.targetId, userId: this.acting(p.userId) };
    return this.call<"mute">("POST", "/client/community/mutes", undefined, body);
  }

  unmute(p: Acting & { targetId: string }): Promise<void> {
    return this.call<"unmute">("DELETE", `/client/community/mutes/${seg(p.targetId)}`,
      { userId: this.acting(p.userId) });
  }

  fetchMutes(p: Acting & PageParams = {}) {
    return this.call<"list_mutes">("GET", "/client/community/mutes",
      { userId: this.acting(p.userId), page: p.page, limit: p.limit, cursor: p.cursor });
  }
}

/** The org's event feed (staff and service tokens), oldest first after a cursor. */
export class Events extends Namespace {
  /** Resume with `after: answer.next`: no gaps, no repeats. `types` filters by event type. */
  fetchEvents(p: { after?: number; limit?: number; types?: string[] } = {}) {
    return this.call<"feed">("GET", "/community/events",
      { after: p.after, limit: p.limit, type: p.types?.length ? p.types.join(",") : undefined });
  }
}

/** The namespaces, by the name the client carries them under (as in the Python client). */
export const NAMESPACES = {
  connections: Connections, users: Users, follows: Follows, pages: Pages, posts: Posts, visibility: Visibility,
  blocks: Blocks, graph: Graph, settings: MemberSettings, mutes: Mutes, events: Events,
} as const;
