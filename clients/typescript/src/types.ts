// Names for the generated types: what each call takes and answers, read off the
// server's document (src/schema.ts), plus the SDK seed's names for the shapes it names.

import type { components, operations } from "./schema.js";

export type Schemas = components["schemas"];
export type Operation = keyof operations;

/** An operation's query parameters (empty when it has none). */
export type QueryOf<O extends Operation> =
  operations[O]["parameters"] extends { query?: infer Q } ? ([Q] extends [undefined] ? {} : NonNullable<Q>) : {};

/** An operation's JSON request body. */
export type BodyOf<O extends Operation> =
  operations[O] extends { requestBody: { content: { "application/json": infer B } } } ? B : never;

type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;

/** An operation's answer on success (200, else 201); `void` for a 204. */
export type AnswerOf<O extends Operation> =
  operations[O]["responses"] extends infer R
    ? R extends { 200: infer A } ? Json<A> : R extends { 201: infer A } ? Json<A> : void
    : never;

export type Pagination = Schemas["Pagination"];

/** A page of a list: `data` plus `pagination` (with `nextCursor`, null on the last page). */
export interface PaginatedResponse<T> {
  data: T[];
  pagination: Pagination;
}

/** The acting member, for service and staff tokens (the seed's `userId`). */
export interface Acting {
  userId?: string | undefined;
}

/** The acting member where `userId` names the other person (the seed's `actingUserId`). */
export interface ActingAs {
  actingUserId?: string | undefined;
}

/** Which part of a list: `page` (1-based) or `cursor` (a previous answer's `nextCursor`). */
export interface PageParams {
  page?: number | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

// The SDK seed's (004) names.
export type EstablishedConnection = Schemas["ConnectionItem"];
export type PendingConnection = Schemas["ConnectionItem"];
export type ConnectionActionResponse = Schemas["Connection"];
export type ConnectionRecord = Schemas["Connection"];
export type ConnectionStatus = Schemas["ConnectionStatus"];

export type Followed = Schemas["Followed"];
export type FollowOut = Schemas["FollowOut"];
export type FollowRequest = Schemas["FollowRequest"];
export type PersonOut = Schemas["PersonOut"];
export type PageOut = Schemas["PageOut"];
export type Post = Schemas["PostOut"];
export type PostVisibility = Schemas["PostIn"]["visibility"];
export type InlinePost = Schemas["InlinePost"];
export type Verdict = Schemas["Verdict"];
export type PostVerdict = Schemas["PostVerdict"];
export type VisibilityBatch = Schemas["BatchOut"];
export type BlockedPerson = Schemas["Blocked"];
export type Muted = Schemas["Muted"];
export type Suggestion = Schemas["Suggestion"];
export type Degree = Schemas["Degree"];
export type Relationship = Schemas["Relationship"];
export type AudienceMember = Schemas["AudienceMember"];
export type Audience = Schemas["Audience"];
export type GraphEvent = Schemas["Event"];
export type EventFeed = Schemas["EventFeed"];
