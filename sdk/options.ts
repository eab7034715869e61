import { EgretConfigurationError } from "./errors";
import type { Logger } from "./log";
import type { Clock } from "./retry";
import type { Dispatcher } from "undici";

/** Production endpoint of the Egret API. */
export const DEFAULT_API_URL = "https://api.getegret.com";

/** Defaults of the client's tuning options. Times are in milliseconds. */
export const DEFAULTS = {
  /** Attempts per request, the first included. */
  maxAttempts: 4,
  /** First backoff wait; doubles on each retry. */
  retryBaseDelayMs: 500,
  /** Maximum backoff wait, and maximum `Retry-After` the client honours. */
  retryMaxDelayMs: 30_000,
  /** Limit on one attempt, from sending the request to the end of the response body. */
  attemptTimeoutMs: 30_000,
  /** Limit on one request, all attempts and waits included. */
  deadlineMs: 120_000,
  /** Requests in flight at once per client; the rest wait their turn. */
  maxConcurrentRequests: 8,
} as const;

/** Options of the Egret API client. */
export interface EgretClientOptions {
  /** API key, sent as `Authorization: Bearer <key>`. Required. */
  apiKey: string;
  /**
   * Source of the key, named in authentication errors, such as `egret:apiKey` or
   * `EGRET_API_KEY`. Default: `the apiKey option`.
   */
  apiKeySource?: string;
  /** Base URL of the API. Must be https, except for loopback hosts. Default: `https://api.getegret.com`. */
  apiUrl?: string;
  /** Attempts per request, the first included, at least 1. Default: 4. */
  maxAttempts?: number;
  /** First backoff wait in milliseconds; doubles on each retry. Default: 500. */
  retryBaseDelayMs?: number;
  /** Cap of a backoff wait and of an honoured `Retry-After`, in milliseconds. Default: 30000. */
  retryMaxDelayMs?: number;
  /** Limit on one attempt in milliseconds. Default: 30000. */
  attemptTimeoutMs?: number;
  /** Limit on one request, all attempts and waits included, in milliseconds. Default: 120000. */
  deadlineMs?: number;
  /** Requests in flight at once; the rest wait in arrival order. Default: 8. */
  maxConcurrentRequests?: number;
  /** Receives one line per attempt; default: stderr when `EGRET_LOG=debug`, otherwise none. */
  logger?: Logger;
  /** Source of time and waits; tests inject a virtual clock. */
  clock?: Clock;
  /** Random source in [0, 1) for backoff jitter; tests inject a fixed one. */
  random?: () => number;
  /** undici dispatcher; default: one keep-alive Agent per client. */
  dispatcher?: Dispatcher;
}

/** Tuning options after defaults and range checks. */
export interface ResolvedTuning {
  maxAttempts: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  attemptTimeoutMs: number;
  deadlineMs: number;
  maxConcurrentRequests: number;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Validates the API URL and returns it without a trailing slash. The key may travel only over
 * https, except to loopback hosts such as the local emulator.
 */
export function resolveApiUrl(value: string | undefined, source = "apiUrl"): string {
  const raw = (value ?? DEFAULT_API_URL).trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new EgretConfigurationError(
      `invalid ${source} '${maskUserinfo(raw)}': expected an absolute URL such as ${DEFAULT_API_URL}`,
    );
  }
  if (url.username !== "" || url.password !== "") {
    throw new EgretConfigurationError(
      `invalid ${source}: it contains credentials; remove them and set the API key as egret:apiKey or EGRET_API_KEY`,
    );
  }
  if (url.search !== "" || url.hash !== "") {
    // The query string is left out of the message because it may carry a token.
    throw new EgretConfigurationError(
      `invalid ${source} '${url.origin}${url.pathname}${url.search === "" ? "" : "?..."}${url.hash === "" ? "" : "#..."}': ` +
        `remove the query string and fragment`,
    );
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new EgretConfigurationError(
      `invalid ${source} '${raw}': the API key is sent only over https (plain http is allowed for loopback hosts such as 127.0.0.1); use an https:// URL`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/** Replaces the user and password of a URL that did not parse, so a message never shows them. */
function maskUserinfo(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1***@");
}

/** Maximum delay of a Node timer, in ms (about 24.8 days). Node runs a longer timer after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** Allowed range of each tuning option, both ends included. */
export const TUNING_RANGES: Readonly<Record<keyof ResolvedTuning, { min: number; max: number }>> = {
  maxAttempts: { min: 1, max: Number.MAX_SAFE_INTEGER },
  retryBaseDelayMs: { min: 0, max: MAX_TIMER_MS },
  retryMaxDelayMs: { min: 0, max: MAX_TIMER_MS },
  attemptTimeoutMs: { min: 1, max: MAX_TIMER_MS },
  deadlineMs: { min: 1, max: MAX_TIMER_MS },
  maxConcurrentRequests: { min: 1, max: Number.MAX_SAFE_INTEGER },
};

/** Returns why `value` is not valid for the tuning option `key`, or undefined when it is. */
export function tuningProblem(key: keyof ResolvedTuning, value: unknown): string | undefined {
  const { min, max } = TUNING_RANGES[key];
  if (typeof value !== "number" || !Number.isInteger(value)) {
    return `expected a whole number (default ${DEFAULTS[key]})`;
  }
  if (value < min || value > max) {
    return `expected a whole number from ${min} to ${max} (default ${DEFAULTS[key]})`;
  }
  return undefined;
}

/** Applies defaults to the tuning options and checks their ranges. */
export function resolveTuning(options: Partial<ResolvedTuning>): ResolvedTuning {
  const tuning: ResolvedTuning = { ...DEFAULTS };
  for (const key of Object.keys(TUNING_RANGES) as Array<keyof ResolvedTuning>) {
    const value = options[key];
    if (value === undefined) {
      continue;
    }
    const problem = tuningProblem(key, value);
    if (problem !== undefined) {
      throw new EgretConfigurationError(`invalid ${key} ${String(value)}: ${problem}`);
    }
    tuning[key] = value;
  }
  return tuning;
}
