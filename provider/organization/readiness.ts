import { backoffDelay, systemClock, type Clock, type EgretClient, type Organization } from "../../sdk";

/** The knowledge-base status in which it accepts uploads and queries. */
export const KB_ACTIVE = "active";

/** How long create and update wait for an active knowledge base unless `kbActiveTimeoutSeconds` is set, in seconds. */
export const DEFAULT_KB_ACTIVE_TIMEOUT_SECONDS = 300;
/** Maximum value of `kbActiveTimeoutSeconds`, in seconds (one hour). */
export const MAX_KB_ACTIVE_TIMEOUT_SECONDS = 3600;

/**
 * Knowledge-base statuses that end the wait at once, because they need someone to act in the
 * Egret dashboard. NOTE: the API documents only `active`; that these two never turn `active` by
 * themselves is assumed. Every other status, such as `provisioning`, is assumed transient and is
 * polled until a time limit ends the wait.
 */
export const KB_STOPPED_STATUSES: ReadonlySet<string> = new Set(["failed", "suspended"]);

/** First wait between two status checks, in milliseconds; it doubles after each check. */
const POLL_BASE_DELAY_MS = 2_000;
/** Maximum wait between two status checks, in milliseconds. */
const POLL_MAX_DELAY_MS = 30_000;

/** The engine's timeout for a whole create or update, as the plugin receives it from `customTimeouts`. */
export interface OperationTimeout {
  /** The timeout, in seconds. */
  seconds: number;
  /** When the operation must end, in milliseconds on the wait's clock. */
  deadline: number;
}

/** Limits and time sources of a readiness wait; tests inject a virtual clock. */
export interface ReadinessOptions {
  /** Source of time and waits. Default: the system clock. */
  clock?: Clock;
  /** Random source in [0, 1) for the jitter between checks. Default: `Math.random`. */
  random?: () => number;
  /** Cancels the wait, which then raises KnowledgeBaseWaitCancelledError. The plugin's Cancel RPC aborts it. */
  signal?: AbortSignal;
  /** Caps the wait when it ends before `kbActiveTimeoutSeconds`. Default: no cap. */
  operationTimeout?: OperationTimeout;
}

/** Base of the errors that end a readiness wait before the knowledge base is active. */
export abstract class KnowledgeBaseWaitError extends Error {
  abstract readonly code: string;
  /** The organization as the last check returned it. */
  abstract readonly organization: Organization;
}

/** The error raised when an organization's knowledge base does not become active in time. */
export class KnowledgeBaseTimeoutError extends KnowledgeBaseWaitError {
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
    /** The limit that ended the wait: `kbActiveTimeoutSeconds`, or the engine's operation timeout. */
    readonly limit: "kbActiveTimeoutSeconds" | "operationTimeout" = "kbActiveTimeoutSeconds",
  ) {
    super(
      `the knowledge base of organization '${slug}' is still '${lastStatus}', not '${KB_ACTIVE}', after waiting ` +
        `${formatSeconds(waitedMs)} s (${checks} status checks, ` +
        (limit === "kbActiveTimeoutSeconds"
          ? `kbActiveTimeoutSeconds ${timeoutSeconds}). Check the organization in the Egret dashboard, raise ` +
            "kbActiveTimeoutSeconds or set waitForKbActive to false, then run pulumi up again"
          : `ended by the operation timeout of ${timeoutSeconds} s set with customTimeouts). Check the organization ` +
            "in the Egret dashboard, raise the resource's customTimeouts or set waitForKbActive to false, then run " +
            "pulumi up again"),
    );
    this.name = "KnowledgeBaseTimeoutError";
  }
}

/** The error raised when the knowledge base is in a status that ends the wait, such as `suspended`. */
export class KnowledgeBaseStoppedError extends KnowledgeBaseWaitError {
  readonly code = "EGRET_KB_STOPPED";

  constructor(
    readonly slug: string,
    /** The status the API reported, one of KB_STOPPED_STATUSES. */
    readonly status: string,
    /** Time spent waiting, in milliseconds. */
    readonly waitedMs: number,
    /** Status checks made while waiting, the first GET or PATCH response not included. */
    readonly checks: number,
    /** The organization as the last check returned it. */
    readonly organization: Organization,
  ) {
    super(
      `the knowledge base of organization '${slug}' is '${status}', which is not expected to become ` +
        `'${KB_ACTIVE}' without action in the Egret dashboard, so the wait stopped after ` +
        `${formatSeconds(waitedMs)} s (${checks} status checks). Resolve it in the Egret dashboard or set ` +
        "waitForKbActive to false, then run pulumi up again",
    );
    this.name = "KnowledgeBaseStoppedError";
  }
}

/** The error raised when the Pulumi engine cancels an operation while it waits for an active knowledge base. */
export class KnowledgeBaseWaitCancelledError extends KnowledgeBaseWaitError {
  readonly code = "EGRET_CANCELLED";

  constructor(
    readonly slug: string,
    /** The last status the API reported, such as `provisioning`. */
    readonly lastStatus: string,
    /** Time spent waiting, in milliseconds. */
    readonly waitedMs: number,
    /** The organization as the last check returned it. */
    readonly organization: Organization,
  ) {
    super(
      `waiting for the knowledge base of organization '${slug}' to become '${KB_ACTIVE}' was cancelled by the ` +
        `Pulumi engine after ${formatSeconds(waitedMs)} s; its last status was '${lastStatus}'. The organization ` +
        "stays adopted, and the next pulumi up waits again",
    );
    this.name = "KnowledgeBaseWaitCancelledError";
  }
}

function formatSeconds(ms: number): string {
  return String(Math.round(ms / 100) / 10);
}

/** The outcome of a step of the wait that Cancel ended first. */
const ABORTED = Symbol("aborted");

/**
 * Settles as `step` does, or with ABORTED as soon as `signal` aborts. An aborted step keeps
 * running and its result is dropped, because neither the clock nor the client takes a signal.
 */
async function unlessAborted<T>(step: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (signal === undefined) {
    return step;
  }
  step.catch(() => undefined);
  if (signal.aborted) {
    return ABORTED;
  }
  let onAbort = () => {};
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([step, aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Polls the organization with GET until its knowledge base is active, waiting between checks
 * with exponential backoff from 2 s up to 30 s, and returns the organization as the last check
 * returned it. Makes no request when `organization` is already active. Raises
 * KnowledgeBaseStoppedError as soon as the status is one of KB_STOPPED_STATUSES, and
 * KnowledgeBaseTimeoutError once `timeoutSeconds` have passed without an active status, or
 * earlier when `options.operationTimeout` ends first. Raises KnowledgeBaseWaitCancelledError as
 * soon as `options.signal` aborts, even during a status check. API errors raised by a check
 * propagate unchanged.
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
  const { signal, operationTimeout } = options;
  const startedAt = clock.now();
  const kbDeadline = startedAt + timeoutSeconds * 1000;
  const operationEndsFirst = operationTimeout !== undefined && operationTimeout.deadline < kbDeadline;
  const deadline = operationEndsFirst ? operationTimeout.deadline : kbDeadline;

  let current = organization;
  const cancelled = () =>
    new KnowledgeBaseWaitCancelledError(current.slug, current.kbStatus, clock.now() - startedAt, current);
  for (let check = 1; ; check += 1) {
    if (signal?.aborted) {
      throw cancelled();
    }
    if (KB_STOPPED_STATUSES.has(current.kbStatus)) {
      throw new KnowledgeBaseStoppedError(current.slug, current.kbStatus, clock.now() - startedAt, check - 1, current);
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      throw new KnowledgeBaseTimeoutError(
        current.slug,
        current.kbStatus,
        clock.now() - startedAt,
        check - 1,
        current,
        operationEndsFirst ? operationTimeout.seconds : timeoutSeconds,
        operationEndsFirst ? "operationTimeout" : "kbActiveTimeoutSeconds",
      );
    }

    // The last wait is cut to the time left, so a final check lands on the deadline.
    const delay = Math.min(backoffDelay(check, POLL_BASE_DELAY_MS, POLL_MAX_DELAY_MS, random), remaining);
    if ((await unlessAborted(clock.sleep(delay), signal)) === ABORTED) {
      throw cancelled();
    }

    const checked = await unlessAborted(client.getOrganization(current.slug), signal);
    if (checked === ABORTED) {
      throw cancelled();
    }
    current = checked;
    if (current.kbStatus === KB_ACTIVE) {
      return current;
    }
  }
}
