import { STATUS_CODES } from "node:http";
import { Agent, type Dispatcher } from "undici";

import {
  EgretAuthenticationError,
  EgretConfigurationError,
  EgretConnectionError,
  EgretError,
  EgretInvalidArgumentError,
  EgretNotFoundError,
  EgretPermissionError,
  EgretRateLimitError,
  EgretRedirectError,
  EgretRequestRejectedError,
  EgretServerError,
  EgretTimeoutError,
  EgretUnexpectedResponseError,
  EgretValidationError,
  type RequestContext,
} from "./errors";
import { ConcurrencyLimiter } from "./limiter";
import { formatAttempt, loggerFromEnv, type AttemptLogFields, type Logger } from "./log";
import {
  parseOrganization,
  parseOrganizationList,
  slugProblem,
  updateToWire,
  type Organization,
  type OrganizationUpdate,
  type Parsed,
} from "./model";
import { resolveApiUrl, resolveTuning, type EgretClientOptions, type ResolvedTuning } from "./options";
import { backoffDelay, parseRetryAfter, RETRYABLE_STATUSES, systemClock, type Clock } from "./retry";

/** Maximum length of a body excerpt quoted in an error, in characters. */
const EXCERPT_LENGTH = 160;

/**
 * Connection error codes worth another attempt: the server may be restarting or overloaded, or
 * the network dropped a connection. Others, such as ENOTFOUND or a TLS certificate error, fail
 * at once because a retry would meet the same error.
 */
const RETRYABLE_CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/** undici's codes for its own header and body timeouts, which count as attempt timeouts. */
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** Characters an API key cannot contain, because it travels in a header. */
// eslint-disable-next-line no-control-regex
const INVALID_KEY_CHARACTERS = /[^\x21-\x7e]/;

/**
 * Largest response body read, in bytes. An organization is about 1 KB, so a list of 10,000 fits;
 * a larger body is an unexpected response, not something to hold in memory.
 */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

const VERSION = "0.1.0";

interface Request {
  method: "GET" | "PATCH";
  path: string;
  body?: string;
}

type ResponseHeaders = Record<string, string | string[] | undefined>;

/**
 * Result of one attempt. It is a complete response, a response whose body the connection cut
 * short, a connection that failed before the response headers, or a timeout.
 */
type AttemptOutcome =
  | { kind: "response"; status: number; headers: ResponseHeaders; text: string }
  | { kind: "oversized"; status: number; text: string }
  | {
      kind: "truncated";
      status: number;
      headers: ResponseHeaders;
      text: string;
      receivedBytes: number;
      errorCode: string;
      cause: unknown;
    }
  | { kind: "connection"; errorCode: string; retryable: boolean; cause: unknown }
  | { kind: "timeout"; timeoutMs: number; limit: "attempt" | "deadline"; cause: unknown };

/** An attempt's outcome and its duration in milliseconds, from sending to the end of the body. */
type Attempt = AttemptOutcome & { durationMs: number };

/**
 * Client of the Egret Organizations API.
 *
 * Each request goes through one pipeline: wait for a slot under `maxConcurrentRequests`, send,
 * decide whether to retry, wait, and parse. GET and PATCH of an organization are idempotent, so
 * both are retried on 408, 429, 500, 502, 503 and 504, on a refused or reset connection, on a
 * body cut short, and on an attempt timeout. The wait is `Retry-After` (capped at
 * `retryMaxDelayMs`) when the response has one, and exponential backoff with jitter otherwise.
 */
export class EgretClient {
  readonly apiUrl: string;
  readonly tuning: ResolvedTuning;

  private readonly apiKey: string;
  private readonly apiKeySource: string;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly limiter: ConcurrencyLimiter;
  private readonly logger?: Logger;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(options: EgretClientOptions) {
    this.apiKeySource = options.apiKeySource ?? "the apiKey option";
    if (typeof options.apiKey !== "string" || options.apiKey.trim() === "") {
      throw new EgretConfigurationError(
        `missing Egret API key (${this.apiKeySource}): set it with 'pulumi config set --secret egret:apiKey <key>' or the EGRET_API_KEY environment variable`,
      );
    }
    this.apiKey = options.apiKey.trim();
    if (INVALID_KEY_CHARACTERS.test(this.apiKey)) {
      throw new EgretConfigurationError(
        `invalid Egret API key (${this.apiKeySource}): it contains whitespace, a control character or a ` +
          `character outside printable ASCII, which an HTTP header cannot carry. ` +
          `Copy the key again from the Egret dashboard.`,
      );
    }
    this.apiUrl = resolveApiUrl(options.apiUrl);
    this.tuning = resolveTuning(options);

    const url = new URL(this.apiUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");

    this.ownsDispatcher = options.dispatcher === undefined;
    this.dispatcher =
      options.dispatcher ??
      new Agent({
        keepAliveTimeout: 10_000,
        connections: this.tuning.maxConcurrentRequests,
        headersTimeout: this.tuning.attemptTimeoutMs,
        bodyTimeout: this.tuning.attemptTimeoutMs,
      });
    this.logger = options.logger ?? loggerFromEnv();
    this.clock = options.clock ?? systemClock;
    this.limiter = new ConcurrencyLimiter(this.tuning.maxConcurrentRequests, this.clock);
    this.random = options.random ?? Math.random;
  }

  /** Lists every organization of the key's user. */
  async listOrganizations(): Promise<Organization[]> {
    const request: Request = { method: "GET", path: `${this.basePath}/v1/orgs/` };
    return this.send(request, parseOrganizationList, "a list of organizations");
  }

  /** Fetches one organization; raises EgretNotFoundError when the key's user has none with this slug. */
  async getOrganization(slug: string): Promise<Organization> {
    const request: Request = { method: "GET", path: this.organizationPath(slug) };
    return this.send(request, parseOrganization, "an organization");
  }

  /** Changes the given fields of an organization with one PATCH; undefined fields are not sent. */
  async updateOrganization(slug: string, update: OrganizationUpdate): Promise<Organization> {
    const request: Request = {
      method: "PATCH",
      path: this.organizationPath(slug),
      body: JSON.stringify(updateToWire(update)),
    };
    return this.send(request, parseOrganization, "an organization");
  }

  /** Closes the client's connections. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) {
      await this.dispatcher.close();
    }
  }

  private organizationPath(slug: string): string {
    const problem = slugProblem(slug);
    if (problem !== undefined) {
      throw new EgretInvalidArgumentError(`invalid organization slug ${JSON.stringify(slug)}: it ${problem}`);
    }
    // The pattern already excludes '/', '?', '#' and '%', so encoding is a second guard.
    return `${this.basePath}/v1/orgs/${encodeURIComponent(slug)}/`;
  }

  /**
   * Sends a request with retries, then validates the body with `parse`. Each attempt waits for
   * a slot under `maxConcurrentRequests`; the backoff waits between attempts hold no slot.
   */
  private async send<T>(request: Request, parse: (body: unknown) => Parsed<T>, expected: string): Promise<T> {
    // The deadline starts when the first attempt gets its slot: the time spent queued behind
    // the process's other requests is not this request's.
    let deadline: number | undefined;

    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.limiter.run(async () => {
        deadline ??= this.clock.now() + this.tuning.deadlineMs;
        return this.attempt(request, attempt, deadline);
      }, attempt > 1);
      const context: RequestContext = { method: request.method, path: request.path, attempts: attempt };

      if (outcome.kind === "response" && outcome.status >= 200 && outcome.status < 300) {
        this.log(request, attempt, outcome, undefined);
        return this.parseBody(outcome.text, outcome.status, parse, expected, context);
      }

      const failure = this.toError(outcome, context);
      const wait = this.retryWait(outcome, attempt);
      // The API limits requests per key, so a 429 pauses every request of this client, not only
      // this one: queued requests would otherwise keep the key's rate window full. The limiter
      // then does the waiting, and starts this retry ahead of requests that came after it.
      const throttled = outcome.kind === "response" && outcome.status === 429 && wait !== undefined;
      if (throttled) {
        this.limiter.pause(this.clock.now() + wait);
      }
      const retrying = wait !== undefined && attempt < this.tuning.maxAttempts;
      const fitsDeadline = retrying && this.clock.now() + wait < deadline!;
      this.log(request, attempt, outcome, retrying && fitsDeadline ? wait : undefined);

      if (!retrying) {
        throw failure;
      }
      if (!fitsDeadline) {
        throw this.deadlineError(context, failure);
      }
      if (!throttled) {
        await this.clock.sleep(wait);
      }
    }
  }

  /** Sends one attempt and reads the whole body, within the attempt timeout and the deadline. */
  private async attempt(request: Request, attempt: number, deadline: number): Promise<Attempt> {
    const started = this.clock.now();
    const outcome = await this.exchange(request, attempt, deadline - started);
    return { ...outcome, durationMs: Math.max(0, this.clock.now() - started) };
  }

  private async exchange(request: Request, attempt: number, remainingMs: number): Promise<AttemptOutcome> {
    // Waiting for a slot or for the end of a 429 pause may have used up the deadline.
    if (remainingMs <= 0) {
      return { kind: "timeout", timeoutMs: 0, limit: "deadline", cause: undefined };
    }
    const limit = remainingMs < this.tuning.attemptTimeoutMs ? "deadline" : "attempt";
    const timeoutMs = Math.min(this.tuning.attemptTimeoutMs, remainingMs);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);

    try {
      const headers: Record<string, string> = {
        authorization: `Bearer ${this.apiKey}`,
        accept: "application/json",
        "user-agent": `egret-pulumi/${VERSION} node/${process.versions.node}`,
        "x-egret-attempt": String(attempt),
      };
      if (request.body !== undefined) {
        headers["content-type"] = "application/json";
      }
      const response = await this.dispatcher.request({
        origin: this.origin,
        path: request.path,
        method: request.method,
        headers,
        body: request.body,
        signal: controller.signal,
      });

      // The body is read chunk by chunk so that a body cut short can still be quoted.
      const chunks: Buffer[] = [];
      try {
        let receivedBytes = 0;
        for await (const chunk of response.body) {
          receivedBytes += (chunk as Buffer).length;
          if (receivedBytes > MAX_BODY_BYTES) {
            response.body.destroy();
            return { kind: "oversized", status: response.statusCode, text: Buffer.concat(chunks).toString("utf8") };
          }
          chunks.push(chunk as Buffer);
        }
      } catch (error) {
        const errorCode = connectionErrorCode(error);
        if (timedOut || TIMEOUT_CODES.has(errorCode)) {
          return { kind: "timeout", timeoutMs, limit, cause: error };
        }
        const received = Buffer.concat(chunks);
        return {
          kind: "truncated",
          status: response.statusCode,
          headers: response.headers,
          text: received.toString("utf8"),
          receivedBytes: received.length,
          errorCode,
          cause: error,
        };
      }
      const text = Buffer.concat(chunks).toString("utf8");
      return { kind: "response", status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      const errorCode = connectionErrorCode(error);
      if (timedOut || TIMEOUT_CODES.has(errorCode)) {
        return { kind: "timeout", timeoutMs, limit, cause: error };
      }
      return { kind: "connection", errorCode, retryable: RETRYABLE_CONNECTION_CODES.has(errorCode), cause: error };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Returns how long to wait before the next attempt, or undefined when the outcome is final. */
  private retryWait(outcome: AttemptOutcome, attempt: number): number | undefined {
    const { retryBaseDelayMs, retryMaxDelayMs } = this.tuning;
    const backoff = backoffDelay(attempt, retryBaseDelayMs, retryMaxDelayMs, this.random);

    if (outcome.kind === "timeout") {
      return outcome.limit === "attempt" ? backoff : undefined;
    }
    if (outcome.kind === "connection") {
      return outcome.retryable ? backoff : undefined;
    }
    if (outcome.kind === "truncated") {
      return backoff;
    }
    if (outcome.kind === "oversized" || !RETRYABLE_STATUSES.has(outcome.status)) {
      return undefined;
    }
    const retryAfter = parseRetryAfter(headerValue(outcome.headers, "retry-after"), this.clock.now());
    return retryAfter === undefined ? backoff : Math.min(retryAfter, retryMaxDelayMs);
  }

  private parseBody<T>(
    text: string,
    status: number,
    parse: (body: unknown) => Parsed<T>,
    expected: string,
    context: RequestContext,
  ): T {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw this.unexpected(context, status, `the body is not JSON`, text);
    }
    const parsed = parse(body);
    if (!parsed.ok) {
      throw this.unexpected(context, status, `the body is not ${expected} (${parsed.problem})`, text);
    }
    return parsed.value;
  }

  private unexpected(
    context: RequestContext,
    status: number,
    problem: string,
    text: string,
    advice = `Check that egret:apiUrl (now ${this.apiUrl}) points at the Egret API and not at a proxy or another service.`,
  ): EgretUnexpectedResponseError {
    const excerpt = this.excerpt(text);
    const tries = context.attempts === 1 ? "1 attempt" : `${context.attempts} attempts`;
    return new EgretUnexpectedResponseError(
      `${context.method} ${context.path} returned ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd() +
        ` but ${problem} (after ${tries}): '${excerpt}'. ${advice}`,
      { ...context, status, excerpt },
    );
  }

  /** Builds the error that describes a failed attempt. */
  private toError(outcome: AttemptOutcome, context: RequestContext): EgretError {
    const request = `${context.method} ${context.path}`;
    const tries = context.attempts === 1 ? "1 attempt" : `${context.attempts} attempts`;

    if (outcome.kind === "timeout") {
      return this.timeoutError(outcome, context);
    }
    if (outcome.kind === "oversized") {
      return this.unexpected(
        context,
        outcome.status,
        `its body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB, so it was not read to the end`,
        outcome.text,
      );
    }
    if (outcome.kind === "connection") {
      return new EgretConnectionError(
        `${request} failed after ${tries}: the connection to ${this.origin} failed (${outcome.errorCode}). ` +
          `Check egret:apiUrl (or EGRET_API_URL) and the network, then run again.`,
        { ...context, cause: outcome.cause },
      );
    }
    if (outcome.kind === "truncated") {
      const excerpt = this.excerpt(outcome.text);
      const announced = headerValue(outcome.headers, "content-length");
      const of = announced === undefined ? "" : ` of the ${announced} announced`;
      return new EgretUnexpectedResponseError(
        `${request} returned ${outcome.status} but the connection closed (${outcome.errorCode}) after ` +
          `${outcome.receivedBytes} bytes${of} of the body, on ${tries}: '${excerpt}'. ` +
          `The Egret API or a proxy in front of it dropped the connection: run again later.`,
        { ...context, status: outcome.status, excerpt, cause: outcome.cause },
      );
    }

    const { status, headers, text } = outcome;
    const fields = { ...context, status };
    const head = `${request} failed with ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd();

    if (status >= 300 && status < 400) {
      const location = headerValue(headers, "location");
      const quotedLocation = location === undefined ? undefined : this.excerpt(location);
      return new EgretRedirectError(
        `${request} was redirected (${status}) to '${quotedLocation ?? "no Location header"}'. ` +
          `Redirects are not followed, so the API key is never sent to another address: ` +
          `set egret:apiUrl (now ${this.apiUrl}) to the address the API serves.`,
        { ...fields, location: quotedLocation },
      );
    }

    // Error bodies of the API are JSON (DRF); anything else came from a proxy or another service.
    const json = parseJson(text);
    if (text.trim() !== "" && !json.ok) {
      if (status >= 500) {
        return this.unexpected(
          context,
          status,
          notTheApi(status),
          text,
          `A proxy in front of the Egret API answered, so the API may be down: run again later. ` +
            `If it persists, check that egret:apiUrl (now ${this.apiUrl}) points at the Egret API.`,
        );
      }
      return this.unexpected(context, status, notTheApi(status), text);
    }
    const body = json.ok && isRecord(json.value) ? json.value : undefined;
    const detail = typeof body?.detail === "string" ? this.excerpt(body.detail) : undefined;
    // The API's own sentences end with a period; the messages below add their own.
    const said = (detail ?? (text.trim() === "" ? "empty body" : `'${this.excerpt(text)}'`)).replace(/\.+$/, "");

    if (status === 400) {
      const fieldErrors = collectFieldErrors(body, (message) => this.excerpt(message));
      const listed = Object.entries(fieldErrors)
        .map(([field, messages]) => `${field}: ${messages.join(" ")}`)
        .join("; ");
      return new EgretValidationError(
        `${head}: the API rejected the request: ${(listed || said).replace(/\.+$/, "")}. Fix these values and run again.`,
        { ...fields, detail, fieldErrors },
      );
    }
    if (status === 401) {
      return new EgretAuthenticationError(
        `${head}: ${said}. The API key from ${this.apiKeySource} was not accepted: set a current key ` +
          `(keys start with egret_) with 'pulumi config set --secret egret:apiKey <key>' or EGRET_API_KEY.`,
        { ...fields, detail },
      );
    }
    if (status === 403) {
      return new EgretPermissionError(
        `${head}: ${said}. The API key from ${this.apiKeySource} may not perform this request: ` +
          `use an active key of the organization's owner.`,
        { ...fields, detail },
      );
    }
    if (status === 404) {
      // Only the API's own 404 (JSON with `detail`) means the organization is gone: a 404 without
      // it means no route matched, and reporting the organization gone would drop it from state.
      if (detail === undefined) {
        return this.unexpected(context, status, notTheApi(status), text);
      }
      return new EgretNotFoundError(
        `${head}: ${said}. Check the slug, and that the API key's user owns the organization.`,
        { ...fields, detail },
      );
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(headerValue(headers, "retry-after"), this.clock.now());
      return new EgretRateLimitError(
        `${head} after ${tries}: ${said}. The API kept throttling this key: lower ` +
          `egret:maxConcurrentRequests or run again later.`,
        { ...fields, detail, retryAfterMs },
      );
    }
    if (status === 408 || status >= 500) {
      return new EgretServerError(
        `${head} after ${tries}: ${said}. The Egret API is failing; run again later.`,
        { ...fields, detail },
      );
    }
    return new EgretRequestRejectedError(
      `${head}: ${said}. The API does not accept this request: upgrade @egret/pulumi if it persists.`,
      { ...fields, detail },
    );
  }

  private timeoutError(outcome: AttemptOutcome & { kind: "timeout" }, context: RequestContext): EgretTimeoutError {
    const { attemptTimeoutMs, deadlineMs } = this.tuning;
    const request = `${context.method} ${context.path}`;
    const limits = { limit: outcome.limit, timeoutMs: outcome.timeoutMs, attemptTimeoutMs, deadlineMs };
    const tries = context.attempts === 1 ? "1 attempt" : `${context.attempts} attempts`;

    if (outcome.limit === "attempt") {
      return new EgretTimeoutError(
        `${request} timed out: no complete response within ${attemptTimeoutMs} ms (attemptTimeoutMs) ` +
          `${context.attempts === 1 ? "on the only attempt" : `on each of ${tries}`}, within a deadline of ${deadlineMs} ms (deadlineMs). ` +
          `Raise egret:attemptTimeoutMs if the API is slow, or run again later.`,
        { ...context, ...limits, cause: outcome.cause },
      );
    }
    return new EgretTimeoutError(
      `${request} timed out: the deadline of ${deadlineMs} ms (deadlineMs) ran out during attempt ` +
        `${context.attempts} (each attempt may take ${attemptTimeoutMs} ms, attemptTimeoutMs). ` +
        `Raise egret:deadlineMs, or run again later.`,
      { ...context, ...limits, cause: outcome.cause },
    );
  }

  private deadlineError(context: RequestContext, last: EgretError): EgretTimeoutError {
    const { attemptTimeoutMs, deadlineMs } = this.tuning;
    return new EgretTimeoutError(
      `${context.method} ${context.path} timed out: the deadline of ${deadlineMs} ms (deadlineMs) ` +
        `leaves no time for another attempt after ${context.attempts} ` +
        `(each attempt may take ${attemptTimeoutMs} ms, attemptTimeoutMs). Last failure: ${last.message}`,
      {
        ...context,
        status: last.status,
        limit: "deadline",
        timeoutMs: deadlineMs,
        attemptTimeoutMs,
        deadlineMs,
        cause: last,
      },
    );
  }

  private log(request: Request, attempt: number, outcome: Attempt, retryInMs: number | undefined): void {
    if (this.logger === undefined) {
      return;
    }
    const fields: AttemptLogFields = {
      method: request.method,
      path: request.path,
      attempt,
      maxAttempts: this.tuning.maxAttempts,
      status: outcome.kind === "response" || outcome.kind === "truncated" || outcome.kind === "oversized" ? outcome.status : undefined,
      error: attemptError(outcome),
      durationMs: outcome.durationMs,
      retryInMs,
    };
    this.logger.debug(formatAttempt(fields), fields);
  }

  /** Returns a short, single-line excerpt of text from the server, with the API key masked. */
  private excerpt(text: string): string {
    // Masked before it is cut, so that no part of the key survives at the cut.
    const masked = this.redact(text);
    // eslint-disable-next-line no-control-regex
    const flat = masked.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
    return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}...` : flat;
  }

  /** Masks the API key in text that came from the server, in case the server echoed it. */
  private redact(text: string): string {
    return text.split(this.apiKey).join("[redacted]");
  }
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Describes an error body that is not the API's JSON error. */
function notTheApi(status: number): string {
  const problem = "the body is not the API's JSON error";
  return status === 404 ? `${problem}, so no API route matched the path` : problem;
}

/** Names what went wrong in an attempt without a complete response, for the log. */
function attemptError(outcome: AttemptOutcome): string | undefined {
  switch (outcome.kind) {
    case "timeout":
      return outcome.limit === "attempt" ? "attempt timeout" : "deadline";
    case "connection":
      return outcome.errorCode;
    case "truncated":
      return `body cut short, ${outcome.errorCode}`;
    default:
      return undefined;
  }
}

/** Collects DRF field errors (`{"field": ["message", ...]}`) from a 400 body. */
function collectFieldErrors(
  body: Record<string, unknown> | undefined,
  redact: (message: string) => string,
): Record<string, string[]> {
  const fieldErrors: Record<string, string[]> = {};
  for (const [field, value] of Object.entries(body ?? {})) {
    if (field === "detail") {
      continue;
    }
    const messages = (Array.isArray(value) ? value : [value]).map((message) =>
      redact(typeof message === "string" ? message : JSON.stringify(message)),
    );
    fieldErrors[field] = messages;
  }
  return fieldErrors;
}

function connectionErrorCode(error: unknown): string {
  let current: unknown = error;
  // undici wraps system errors such as ECONNREFUSED in `cause`.
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code !== "UND_ERR_ABORTED" && code !== "ABORT_ERR") {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.name : "unknown error";
}
