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

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Parses `Retry-After` as delay-seconds or as an HTTP date, in milliseconds from `now`.
 * Returns undefined for a missing or malformed value.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed) * 1000;
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
