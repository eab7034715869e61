/**
 * Rate limiting per API key with a sliding window, with the 429 responses of DRF's throttles.
 */

/** Throttle settings: at most `rate` requests per key in any window of `periodSeconds`. */
export interface ThrottleSettings {
  /** Maximum requests per key in one window. */
  rate: number;
  /** Window length in seconds. Default 1. */
  periodSeconds: number;
}

/** Sliding-window request counter per API key. Off until `configure` gets settings. */
export class Throttle {
  private settings: ThrottleSettings | null = null;

  /** Arrival times in ms of the requests inside the current window, per API key. */
  private readonly history = new Map<string, number[]>();

  constructor(private readonly clock: () => number) {}

  /** Current settings, or null when throttling is off. */
  get current(): ThrottleSettings | null {
    return this.settings === null ? null : { ...this.settings };
  }

  /** Turns throttling on with `settings`, or off with null, and clears the counted requests. */
  configure(settings: ThrottleSettings | null): void {
    this.settings = settings === null ? null : { ...settings };
    this.history.clear();
  }

  /**
   * Counts a request by `key` and returns the whole seconds to wait (at least 1) when it exceeds
   * the rate, or null when it may pass.
   *
   * Throttled requests count too, unlike in DRF, so a client that ignores `Retry-After` and keeps
   * sending stays throttled.
   */
  check(key: string): number | null {
    if (this.settings === null) {
      return null;
    }

    const now = this.clock();
    const windowMs = this.settings.periodSeconds * 1000;
    const times = (this.history.get(key) ?? []).filter((time) => time > now - windowMs);
    times.push(now);
    this.history.set(key, times);

    if (times.length <= this.settings.rate) {
      return null;
    }

    // The next request may pass once fewer than `rate` of the counted requests, this one
    // included, remain inside its window.
    const oldestToExpire = times[times.length - this.settings.rate] as number;
    const waitMs = oldestToExpire + windowMs - now;
    return Math.max(1, Math.ceil(waitMs / 1000));
  }
}

/** Parses the body of `POST /_emulator/throttle` and returns the settings (null = off) or the problems found. */
export function parseThrottleSettings(
  body: unknown,
): { settings: ThrottleSettings | null; problems: string[] } {
  const problems: string[] = [];

  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { settings: null, problems: ['the body must be a JSON object such as {"rate": 5} or {"rate": null}'] };
  }

  const fields = body as Record<string, unknown>;
  for (const field of Object.keys(fields)) {
    if (field !== "rate" && field !== "periodSeconds") {
      problems.push(`unknown field "${field}": use "rate" and optionally "periodSeconds"`);
    }
  }

  if (!Object.hasOwn(fields, "rate")) {
    problems.push('"rate" is missing: give a positive integer, or null to turn throttling off');
  }

  const rate = fields.rate;
  if (rate !== undefined && rate !== null && !(Number.isSafeInteger(rate) && (rate as number) >= 1)) {
    problems.push(`"rate" must be a positive integer or null, got ${JSON.stringify(rate)}`);
  }

  const period = fields.periodSeconds ?? 1;
  if (!(Number.isSafeInteger(period) && (period as number) >= 1 && (period as number) <= 86_400)) {
    problems.push(`"periodSeconds" must be an integer from 1 to 86400, got ${JSON.stringify(period)}`);
  }

  if (problems.length > 0 || rate === null || rate === undefined) {
    return { settings: null, problems };
  }
  return { settings: { rate: rate as number, periodSeconds: period as number }, problems };
}
