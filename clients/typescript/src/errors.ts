// Typed errors, as in the Python client (graphsvc/client/errors.py): one class per
// status family, and the server's own `code` on every error, so callers write
// `catch (e) { if (e instanceof ConflictError && e.code === "already_pending") ... }`.

import { ERROR_CODES, type ErrorCode } from "./schema.js";

export { ERROR_CODES, type ErrorCode };

export interface ErrorDetails {
  status?: number;
  code?: string;
  body?: unknown;
  method?: string;
  url?: string;
  /** The `x-request-id` the service answered with: quote it when asking what happened. */
  requestId?: string | null;
}

/** Any error answer from graphsvc: `{"error": {"code", "message"}}`. */
export class GraphsvcError extends Error {
  static readonly status: number = 0;
  static readonly defaultCode: string = "error";

  readonly status: number;
  /** The server's code (`already_pending`, `invalid_token`, ...); the family's when it sent none. */
  readonly code: ErrorCode | (string & {});
  readonly body: unknown;
  readonly method: string;
  readonly url: string;
  readonly requestId: string | null;

  constructor(message: string, details: ErrorDetails = {}) {
    super(message);
    const own = this.constructor as typeof GraphsvcError;
    this.name = own.name;
    this.status = details.status ?? own.status;
    this.code = details.code ?? own.defaultCode;
    this.body = details.body;
    this.method = details.method ?? "";
    this.url = details.url ?? "";
    this.requestId = details.requestId ?? null;
  }

  override toString(): string {
    const where = this.method ? ` (${this.method} ${this.url})` : "";
    return `${this.name}: ${this.status} ${this.code}: ${this.message}${where}`;
  }
}

/** The service could not be reached at all (connection refused, timeout). */
export class TransportError extends GraphsvcError {
  static override readonly defaultCode: string = "transport_error";
}

export class BadRequestError extends GraphsvcError {
  static override readonly status: number = 400;
  static override readonly defaultCode: string = "bad_request";
}

export class UnauthorizedError extends GraphsvcError {
  static override readonly status: number = 401;
  static override readonly defaultCode: string = "unauthorized";
}

export class ForbiddenError extends GraphsvcError {
  static override readonly status: number = 403;
  static override readonly defaultCode: string = "forbidden";
}

export class NotFoundError extends GraphsvcError {
  static override readonly status: number = 404;
  static override readonly defaultCode: string = "not_found";
}

export class MethodNotAllowedError extends GraphsvcError {
  static override readonly status: number = 405;
  static override readonly defaultCode: string = "method_not_allowed";
}

export class ConflictError extends GraphsvcError {
  static override readonly status: number = 409;
  static override readonly defaultCode: string = "conflict";
}

export class PayloadTooLargeError extends GraphsvcError {
  static override readonly status: number = 413;
  static override readonly defaultCode: string = "payload_too_large";
}

export class UnprocessableError extends GraphsvcError {
  static override readonly status: number = 422;
  static override readonly defaultCode: string = "validation_error";
}

export class LimitReachedError extends GraphsvcError {
  static override readonly status: number = 429;
  static override readonly defaultCode: string = "limit_reached";
}

export class ServerError extends GraphsvcError {
  static override readonly status: number = 500;
  static override readonly defaultCode: string = "internal";
}

/** Neo4j unreachable or busy; the client has already retried with back-off. */
export class UnavailableError extends GraphsvcError {
  static override readonly status: number = 503;
  static override readonly defaultCode: string = "database_unavailable";
}

/** The class for each status the service answers with; other statuses fall back by range. */
export const BY_STATUS: Readonly<Record<number, typeof GraphsvcError>> = Object.freeze(
  Object.fromEntries(
    [BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, MethodNotAllowedError, ConflictError,
      PayloadTooLargeError, UnprocessableError, LimitReachedError, ServerError, UnavailableError]
      .map((cls) => [cls.status, cls]),
  ),
);

/** The error for an answer with status >= 400, from its (possibly absent or non-JSON) body. */
export function errorFor(status: number, body: unknown, method = "", url = "",
  requestId: string | null = null): GraphsvcError {
  let code: string | undefined;
  let message = `HTTP ${status}`;
  const error = (body as { error?: unknown } | null)?.error;
  if (error && typeof error === "object") {
    const given = error as { code?: unknown; message?: unknown };
    if (typeof given.code === "string") code = given.code;
    if (typeof given.message === "string" && given.message) message = given.message;
  }
  const cls = BY_STATUS[status] ?? (status >= 500 ? ServerError : BadRequestError);
  return new cls(message, { status, ...(code === undefined ? {} : { code }), body, method, url, requestId });
}
