/**
 * When to retry and how long to wait. Pure functions, so the clock and the random source stay
 * injectable and tests never sleep for a real backoff.
 */

/** Statuses that can succeed on a later attempt. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** The source of time and of waiting; tests replace it with a virtual clock. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
}

/**
 * The real clock, whose `sleep` never resolves early. A Node timer counts from the event loop's
 * cached time, so it may fire a few milliseconds before its delay has passed by the wall clock.
 * A retry would then arrive before the moment `Retry-After` named.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms) => {
    const end = performance.now() + ms;
    for (let left = ms; left > 0; left = end - performance.now()) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
    }
  },
};

/** The three HTTP-date forms of RFC 9110 section 5.6.7: IMF-fixdate, RFC 850 and asctime. */
const HTTP_DATE_PATTERNS = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
  /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
];

/**
 * Parses `Retry-After` as delay-seconds or as an HTTP date, in milliseconds from `now` (a date
 * in the past gives 0). Returns undefined for a missing or malformed value, such as `1.5`, `-1`
 * or an ISO 8601 date, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  // Date.parse alone would also read "1.5" or "-5" as dates in 2001.
  if (!HTTP_DATE_PATTERNS.some((pattern) => pattern.test(trimmed))) {
    return undefined;
  }
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with jitter: `baseMs * 2^(retry - 1)`, capped at `maxMs`, then reduced by
 * up to a quarter at random so that clients that failed together do not retry together.
 * `retry` counts from 1.
 */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** (retry - 1));
  return Math.round(exponential * (1 - 0.25 * random()));
}
