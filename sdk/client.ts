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
import { formatAttempt, loggerFromEnv, type Logger } from "./log";
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

/** Longest body excerpt quoted in an error, in characters. */
const EXCERPT_LENGTH = 160;

/** Connection error codes worth another attempt: the server may be restarting or overloaded. */
const RETRYABLE_CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

const VERSION = "0.1.0";

interface Request {
  method: "GET" | "PATCH";
  path: string;
  body?: string;
}

/** What one attempt produced: a complete response, or an error with no usable response. */
type AttemptOutcome =
  | { kind: "response"; status: number; headers: Record<string, string | string[] | undefined>; text: string }
  | { kind: "connection"; errorCode: string; retryable: boolean; cause: unknown }
  | { kind: "timeout"; timeoutMs: number; limit: "attempt" | "deadline"; cause: unknown };

/**
 * Client of the Egret Organizations API.
 *
 * Each request goes through one pipeline: wait for a slot under `maxConcurrentRequests`, send,
 * decide whether to retry, wait, and parse. GET and PATCH of an organization are idempotent, so
 * both are retried on 408, 429, 5xx, connection failures and timeouts.
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
  /**
   * Time (ms, by `clock`) before which no attempt is sent. A 429 sets it, because the API limits
   * requests per key: every request of this client waits out the pause, not only the throttled
   * one, so queued requests do not keep the key's rate window full.
   */
  private throttledUntil = 0;
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
    this.limiter = new ConcurrencyLimiter(this.tuning.maxConcurrentRequests);
    this.logger = options.logger ?? loggerFromEnv();
    this.clock = options.clock ?? systemClock;
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

  /** Sends a request with retries, then validates the body with `parse`. */
  private async send<T>(request: Request, parse: (body: unknown) => Parsed<T>, expected: string): Promise<T> {
    const { maxAttempts } = this.tuning;
    const deadline = this.clock.now() + this.tuning.deadlineMs;

    for (let attempt = 1; ; attempt += 1) {
      const started = this.clock.now();
      const outcome = await this.limiter.run(async () => {
        await this.waitWhileThrottled();
        return this.attempt(request, attempt, deadline);
      }, attempt > 1);
      const durationMs = Math.max(0, this.clock.now() - started);
      const context: RequestContext = { method: request.method, path: request.path, attempts: attempt };

      if (outcome.kind === "response" && outcome.status >= 200 && outcome.status < 300) {
        this.log(request, attempt, outcome, durationMs, undefined);
        return this.parseBody(outcome.text, outcome.status, parse, expected, context);
      }

      const failure = this.toError(outcome, context);
      const wait = this.retryWait(outcome, attempt);
      if (outcome.kind === "response" && outcome.status === 429 && wait !== undefined) {
        this.throttledUntil = Math.max(this.throttledUntil, this.clock.now() + wait);
      }
      const retrying = wait !== undefined && attempt < maxAttempts;
      const fitsDeadline = retrying && this.clock.now() + wait < deadline;
      this.log(request, attempt, outcome, durationMs, retrying && fitsDeadline ? wait : undefined);

      if (!retrying) {
        throw failure;
      }
      if (!fitsDeadline) {
        throw this.deadlineError(context, failure);
      }
      await this.clock.sleep(wait);
    }
  }

  /** Waits until the pause set by the last 429 has passed; a 429 during the wait extends it. */
  private async waitWhileThrottled(): Promise<void> {
    for (let left = this.throttledUntil - this.clock.now(); left > 0; left = this.throttledUntil - this.clock.now()) {
      await this.clock.sleep(left);
    }
  }

  /** Sends one attempt and reads the whole body, within the attempt timeout and the deadline. */
  private async attempt(request: Request, attempt: number, deadline: number): Promise<AttemptOutcome> {
    const remaining = deadline - this.clock.now();
    const limit = remaining < this.tuning.attemptTimeoutMs ? "deadline" : "attempt";
    const timeoutMs = Math.max(1, Math.min(this.tuning.attemptTimeoutMs, remaining));
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
      const text = await response.body.text();
      return { kind: "response", status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      if (timedOut) {
        return { kind: "timeout", timeoutMs, limit, cause: error };
      }
      const errorCode = connectionErrorCode(error);
      if (errorCode === "UND_ERR_HEADERS_TIMEOUT" || errorCode === "UND_ERR_BODY_TIMEOUT") {
        return { kind: "timeout", timeoutMs, limit: "attempt", cause: error };
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
    if (!RETRYABLE_STATUSES.has(outcome.status)) {
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

  private unexpected(context: RequestContext, status: number, problem: string, text: string): EgretUnexpectedResponseError {
    const excerpt = this.excerpt(text);
    return new EgretUnexpectedResponseError(
      `${context.method} ${context.path} returned ${status} but ${problem}: '${excerpt}'. ` +
        `Check that egret:apiUrl points at the Egret API and not at a proxy or another service.`,
      { ...context, status, excerpt },
    );
  }

  /** Builds the error that describes a failed attempt. */
  private toError(outcome: AttemptOutcome, context: RequestContext): EgretError {
    const request = `${context.method} ${context.path}`;
    const tries = context.attempts === 1 ? "1 attempt" : `${context.attempts} attempts`;

    if (outcome.kind === "timeout") {
      return new EgretTimeoutError(
        `${request} timed out: no complete response within ${outcome.timeoutMs} ms ` +
          `(attemptTimeoutMs), after ${tries}. Raise egret:attemptTimeoutMs if the API is slow, or run again later.`,
        { ...context, limit: outcome.limit, timeoutMs: outcome.timeoutMs, cause: outcome.cause },
      );
    }
    if (outcome.kind === "connection") {
      return new EgretConnectionError(
        `${request} failed after ${tries}: the connection to ${this.origin} failed (${outcome.errorCode}). ` +
          `Check egret:apiUrl (or EGRET_API_URL) and the network, then run again.`,
        { ...context, cause: outcome.cause },
      );
    }

    const { status, headers, text } = outcome;
    const fields = { ...context, status };
    const body = safeJson(text);
    const detail = typeof body?.detail === "string" ? this.redact(body.detail) : undefined;
    const said = detail ?? (text.trim() === "" ? "empty body" : `'${this.excerpt(text)}'`);
    const head = `${request} failed with ${status} ${STATUS_CODES[status] ?? ""}`.trimEnd();

    if (status >= 300 && status < 400) {
      const location = headerValue(headers, "location");
      return new EgretRedirectError(
        `${request} was redirected (${status}) to '${location ?? "no Location header"}'. ` +
          `Redirects are not followed, so the API key is never sent to another address: ` +
          `set egret:apiUrl to the address the API really serves.`,
        { ...fields, location },
      );
    }
    if (status === 400) {
      const fieldErrors = collectFieldErrors(body, (message) => this.redact(message));
      const listed = Object.entries(fieldErrors)
        .map(([field, messages]) => `${field}: ${messages.join(" ")}`)
        .join("; ");
      return new EgretValidationError(
        `${head}: the API rejected the request: ${listed || said}. Fix these values and run again.`,
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
          `use a key of the organization's owner.`,
        { ...fields, detail },
      );
    }
    if (status === 404) {
      return new EgretNotFoundError(`${head}: ${said}.`, { ...fields, detail });
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
    return new EgretRequestRejectedError(`${head}: ${said}.`, { ...fields, detail });
  }

  private deadlineError(context: RequestContext, last: EgretError): EgretTimeoutError {
    return new EgretTimeoutError(
      `${context.method} ${context.path} timed out: the deadline of ${this.tuning.deadlineMs} ms (deadlineMs) ` +
        `leaves no time for another attempt after ${context.attempts}. Last failure: ${last.message}`,
      { ...context, status: last.status, limit: "deadline", timeoutMs: this.tuning.deadlineMs, cause: last },
    );
  }

  private log(
    request: Request,
    attempt: number,
    outcome: AttemptOutcome,
    durationMs: number,
    retryInMs: number | undefined,
  ): void {
    if (this.logger === undefined) {
      return;
    }
    const fields = {
      method: request.method,
      path: request.path,
      attempt,
      maxAttempts: this.tuning.maxAttempts,
      status: outcome.kind === "response" ? outcome.status : undefined,
      error: outcome.kind === "connection" ? outcome.errorCode : outcome.kind === "timeout" ? "timeout" : undefined,
      durationMs,
      retryInMs,
    };
    this.logger.debug(formatAttempt(fields), fields);
  }

  /** Returns a short, single-line excerpt of a body with the API key masked. */
  private excerpt(text: string): string {
    // eslint-disable-next-line no-control-regex
    const flat = text.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
    const cut = flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}...` : flat;
    return this.redact(cut);
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

function safeJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
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
