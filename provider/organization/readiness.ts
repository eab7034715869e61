import { backoffDelay, systemClock, type Clock, type EgretClient, type Organization } from "../../sdk";

/** The knowledge-base status in which it accepts uploads and queries. */
export const KB_ACTIVE = "active";

/** How long create and update wait for an active knowledge base unless `kbActiveTimeoutSeconds` is set, in seconds. */
export const DEFAULT_KB_ACTIVE_TIMEOUT_SECONDS = 300;
/** Maximum value of `kbActiveTimeoutSeconds`, in seconds (one hour). */
export const MAX_KB_ACTIVE_TIMEOUT_SECONDS = 3600;

/** First wait between two status checks, in milliseconds; it doubles after each check. */
const POLL_BASE_DELAY_MS = 2_000;
/** Maximum wait between two status checks, in milliseconds. */
const POLL_MAX_DELAY_MS = 30_000;

/** Sources of time and randomness for the readiness wait; tests inject a virtual clock. */
export interface ReadinessOptions {
  /** Source of time and waits. Default: the system clock. */
  clock?: Clock;
  /** Random source in [0, 1) for the jitter between checks. Default: `Math.random`. */
  random?: () => number;
}

/** The error raised when an organization's knowledge base does not become active in time. */
export class KnowledgeBaseTimeoutError extends Error {
  readonly code = "EGRET_KB_NOT_ACTIVE";

  constructor(
    readonly slug: string,
    /** The last status the API reported, such as `provisioning`. */
    readonly lastStatus: string,
    /** Time spent waiting, in milliseconds. */
    readonly waitedMs: number,
    /** Status checks made while waiting, the first GET or PATCH response not included. */
    readonly checks: number,
    /** The organization as the last check returned it. */
    readonly organization: Organization,
    timeoutSeconds: number,
  ) {
    super(
      `the knowledge base of organization '${slug}' is still '${lastStatus}', not '${KB_ACTIVE}', after waiting ` +
        `${formatSeconds(waitedMs)} s (${checks} status checks, kbActiveTimeoutSeconds ${timeoutSeconds}). ` +
        "Check the organization in the Egret dashboard, raise kbActiveTimeoutSeconds or set waitForKbActive " +
        "to false, then run pulumi up again",
    );
    this.name = "KnowledgeBaseTimeoutError";
  }
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/**
 * Polls the organization with GET until its knowledge base is active, waiting between checks
 * with exponential backoff from 2 s up to 30 s, and returns the organization as the last check
 * returned it. Makes no request when `organization` is already active. Raises
 * KnowledgeBaseTimeoutError once `timeoutSeconds` have passed without an active status; API
 * errors raised by a check propagate unchanged.
 */
export async function waitForKbActive(
  client: EgretClient,
  organization: Organization,
  timeoutSeconds: number,
  options: ReadinessOptions = {},
): Promise<Organization> {
  if (organization.kbStatus === KB_ACTIVE) {
    return organization;
  }
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const startedAt = clock.now();
  const deadline = startedAt + timeoutSeconds * 1000;

  let current = organization;
  for (let check = 1; ; check += 1) {
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new KnowledgeBaseTimeoutError(
        current.slug,
        current.kbStatus,
        clock.now() - startedAt,
        check - 1,
        current,
        timeoutSeconds,
      );
    }

    // The last wait is cut to the time left, so a final check lands on the deadline.
    await clock.sleep(Math.min(backoffDelay(check, POLL_BASE_DELAY_MS, POLL_MAX_DELAY_MS, random), remaining));

    current = await client.getOrganization(current.slug);
    if (current.kbStatus === KB_ACTIVE) {
      return current;
    }
  }
}
