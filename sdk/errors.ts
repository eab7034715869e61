/**
 * Errors raised by the Egret API client.
 *
 * Every error carries a stable string `code` to switch on, the request's method and path, and
 * the number of attempts made. Messages say what failed and what to do next. No error ever
 * contains the API key: messages are built only from the method, path, status, the API's
 * `detail` or field errors, and a short excerpt of a body that the server sent.
 */

/** Stable codes of the errors raised by the client. */
export type EgretErrorCode =
  | "EGRET_AUTHENTICATION"
  | "EGRET_PERMISSION"
  | "EGRET_NOT_FOUND"
  | "EGRET_VALIDATION"
  | "EGRET_RATE_LIMIT"
  | "EGRET_SERVER"
  | "EGRET_REQUEST_REJECTED"
  | "EGRET_REDIRECT"
  | "EGRET_CONNECTION"
  | "EGRET_TIMEOUT"
  | "EGRET_UNEXPECTED_RESPONSE"
  | "EGRET_CONFIGURATION"
  | "EGRET_INVALID_ARGUMENT";

/** Details of the failed request, carried by every request error. */
export interface RequestContext {
  method: string;
  path: string;
  /** Number of attempts made, retries included. */
  attempts: number;
}

interface EgretErrorFields extends Partial<RequestContext> {
  status?: number;
  detail?: string;
  cause?: unknown;
}

/** Base class of every error the Egret client raises. */
export class EgretError extends Error {
  readonly code: EgretErrorCode;
  /** HTTP status of the last response, when there was one. */
  readonly status?: number;
  readonly method?: string;
  readonly path?: string;
  readonly attempts: number;
  /** The API's own `detail` message, when it sent one. */
  readonly detail?: string;

  constructor(code: EgretErrorCode, message: string, fields: EgretErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = fields.status;
    this.method = fields.method;
    this.path = fields.path;
    this.attempts = fields.attempts ?? 0;
    this.detail = fields.detail;
  }
}

/** 401: the API key is missing, unknown or revoked. */
export class EgretAuthenticationError extends EgretError {
  constructor(message: string, fields: EgretErrorFields) {
    super("EGRET_AUTHENTICATION", message, fields);
  }
}

/** 403: the API key is valid but may not perform this request. */
export class EgretPermissionError extends EgretError {
  constructor(message: string, fields: EgretErrorFields) {
    super("EGRET_PERMISSION", message, fields);
  }
}

/**
 * 404 with the API's JSON error: the organization does not exist or belongs to another user. A
 * 404 with any other body (an HTML page: no route matched) is EgretUnexpectedResponseError.
 */
export class EgretNotFoundError extends EgretError {
  constructor(message: string, fields: EgretErrorFields) {
    super("EGRET_NOT_FOUND", message, fields);
  }
}

/** 400: the API rejected the request body; `fieldErrors` maps each field to its messages. */
export class EgretValidationError extends EgretError {
  readonly fieldErrors: Record<string, string[]>;

  constructor(message: string, fields: EgretErrorFields & { fieldErrors: Record<string, string[]> }) {
    super("EGRET_VALIDATION", message, fields);
    this.fieldErrors = fields.fieldErrors;
  }
}

/** 429 on every attempt: the API kept throttling the key. */
export class EgretRateLimitError extends EgretError {
  /** The last wait the API asked for, in milliseconds, when it sent `Retry-After`. */
  readonly retryAfterMs?: number;

  constructor(message: string, fields: EgretErrorFields & { retryAfterMs?: number }) {
    super("EGRET_RATE_LIMIT", message, fields);
    this.retryAfterMs = fields.retryAfterMs;
  }
}

/** 408 or 5xx with a JSON or empty body, on every attempt. */
export class EgretServerError extends EgretError {
  constructor(message: string, fields: EgretErrorFields) {
    super("EGRET_SERVER", message, fields);
  }
}

/** Any other 4xx status that the client does not retry (405, 409, 415, ...). */
export class EgretRequestRejectedError extends EgretError {
  constructor(message: string, fields: EgretErrorFields) {
    super("EGRET_REQUEST_REJECTED", message, fields);
  }
}

/** 3xx: the API pointed elsewhere. The client never follows a redirect with the API key. */
export class EgretRedirectError extends EgretError {
  /** The `Location` header of the redirect, when there was one. */
  readonly location?: string;

  constructor(message: string, fields: EgretErrorFields & { location?: string }) {
    super("EGRET_REDIRECT", message, fields);
    this.location = fields.location;
  }
}

/** The connection failed on every attempt: refused, reset, or closed before the response ended. */
export class EgretConnectionError extends EgretError {
  constructor(message: string, fields: EgretErrorFields) {
    super("EGRET_CONNECTION", message, fields);
  }
}

/** Limits of the request that timed out, in milliseconds. */
interface TimeoutFields {
  /** The limit that ran out: one attempt's timeout or the overall deadline. */
  limit: "attempt" | "deadline";
  /** The time the last attempt was given, or the deadline when no attempt fitted into it. */
  timeoutMs: number;
  /** The client's per-attempt timeout (`attemptTimeoutMs`). */
  attemptTimeoutMs: number;
  /** The client's overall deadline (`deadlineMs`). */
  deadlineMs: number;
}

/**
 * Every attempt outlived `attemptTimeoutMs`, or the request reached `deadlineMs` (an attempt ran
 * into it, or the next wait would have). Both limits are on the error.
 */
export class EgretTimeoutError extends EgretError {
  readonly limit: "attempt" | "deadline";
  readonly timeoutMs: number;
  readonly attemptTimeoutMs: number;
  readonly deadlineMs: number;

  constructor(message: string, fields: EgretErrorFields & TimeoutFields) {
    super("EGRET_TIMEOUT", message, fields);
    this.limit = fields.limit;
    this.timeoutMs = fields.timeoutMs;
    this.attemptTimeoutMs = fields.attemptTimeoutMs;
    this.deadlineMs = fields.deadlineMs;
  }
}

/**
 * A response whose body is not the JSON the API documents: an HTML page, a body cut short when
 * the connection closed, invalid JSON, or a field of the wrong type. `status` is the response's.
 */
export class EgretUnexpectedResponseError extends EgretError {
  /** A short excerpt of the body, with control characters removed. */
  readonly excerpt: string;

  constructor(message: string, fields: EgretErrorFields & { excerpt: string }) {
    super("EGRET_UNEXPECTED_RESPONSE", message, fields);
    this.excerpt = fields.excerpt;
  }
}

/** The client's configuration is invalid: a missing API key, a bad URL, an option out of range. */
export class EgretConfigurationError extends EgretError {
  constructor(message: string) {
    super("EGRET_CONFIGURATION", message);
  }
}

/** An argument is invalid before any request is sent, such as a malformed slug. */
export class EgretInvalidArgumentError extends EgretError {
  constructor(message: string) {
    super("EGRET_INVALID_ARGUMENT", message);
  }
}

/** Returns true when `error` is an EgretError with the given code. */
export function isEgretError(error: unknown, code?: EgretErrorCode): error is EgretError {
  return error instanceof EgretError && (code === undefined || error.code === code);
}
