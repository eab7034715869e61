/**
 * Everything one emulator stores: the data loaded from a seed, the request log, the fault queue
 * and the throttle.
 */

import { createHash } from "node:crypto";

import { FaultQueue } from "./faults";
import {
  checkOrganizationFields,
  createStoredOrganization,
  describeValue,
  formatTimestamp,
  parseTimestamp,
  SLUG_PATTERN,
  touchOrganization,
} from "./organization";
import type { StoredOrganization } from "./organization";
import type { EmulatorSeed } from "./seed";
import { Throttle } from "./throttle";

/** Maximum entries in the request log. Older entries are dropped first. */
export const MAX_REQUEST_LOG_ENTRIES = 10_000;

/** Characters allowed in an API key: printable ASCII without spaces, so that it fits a Bearer header. */
const KEY_PATTERN = /^[\x21-\x7e]+$/;

/** One request to the emulated API, as `GET /_emulator/requests` returns it. */
export interface RequestLogEntry {
  method: string;
  /** Request target as sent: the path and the query string. */
  path: string;
  /** Response status, 0 when no status line was sent (reset fault, client gone), null while pending. */
  status: number | null;
  /** Arrival time in ms since the epoch. */
  receivedAt: number;
  /** Label of the Bearer token sent (see `keyIdOf`), or null when there was none. */
  keyId: string | null;
  /** Request body parsed as JSON, or null when it was empty or not valid JSON. */
  body: unknown;
  /** `Retry-After` header value sent, or null. */
  retryAfter: string | null;
  /** True when a queued fault sent the response in place of the emulated API. */
  fault: boolean;
}

/** A user of the emulated API, found by API key. */
export interface KeyRecord {
  email: string;
  active: boolean;
}

/** A seed after it has been checked and its organizations filled with defaults. */
export interface LoadedSeed {
  domains: string[];
  keys: Map<string, KeyRecord>;
  organizations: StoredOrganization[];
}

/**
 * Returns a short label for an API key: the first 8 hex digits of its SHA-256 digest. Logs use it
 * so that they never contain the key itself.
 */
export function keyIdOf(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Checks a seed and builds the stored data from it, or returns every problem found. */
export function loadSeed(input: unknown, nowMicroseconds: number): { seed: LoadedSeed | null; problems: string[] } {
  if (!isObject(input)) {
    return { seed: null, problems: ["the seed must be a JSON object with domains, keys and organizations"] };
  }

  const problems: string[] = [];
  for (const field of Object.keys(input)) {
    if (field !== "domains" && field !== "keys" && field !== "organizations") {
      problems.push(`unknown seed field "${field}": a seed has only domains, keys and organizations`);
    }
  }

  const domains = loadDomains(input.domains, problems);
  const keys = loadKeys(input.keys, problems);
  const organizations = loadOrganizations(input.organizations, domains, keys, nowMicroseconds, problems);

  if (problems.length > 0) {
    return { seed: null, problems };
  }
  return { seed: { domains, keys, organizations }, problems };
}

function loadDomains(input: unknown, problems: string[]): string[] {
  if (!Array.isArray(input)) {
    problems.push(`domains must be an array of domain slugs, got ${describeValue(input)}`);
    return [];
  }

  const domains: string[] = [];
  input.forEach((domain, index) => {
    if (typeof domain !== "string" || !SLUG_PATTERN.test(domain)) {
      problems.push(`domains[${index}] must be a slug of letters, digits, "-" and "_", got ${describeValue(domain)}`);
    } else if (domains.includes(domain)) {
      problems.push(`domains[${index}] repeats "${domain}": list each domain once`);
    } else {
      domains.push(domain);
    }
  });
  return domains;
}

function loadKeys(input: unknown, problems: string[]): Map<string, KeyRecord> {
  const keys = new Map<string, KeyRecord>();
  if (!isObject(input)) {
    // The value is not quoted, because it may contain API keys.
    let got: string = typeof input;
    if (Array.isArray(input)) {
      got = "an array";
    } else if (input === null) {
      got = "null";
    }
    problems.push(`keys must be an object of API keys to {"email": ..., "active": ...}, got ${got}`);
    return keys;
  }

  for (const [key, record] of Object.entries(input)) {
    // The key itself is a secret, so messages name it by its label.
    const label = `keys[${keyIdOf(key)}]`;
    if (!KEY_PATTERN.test(key)) {
      problems.push(`${label} is not a valid API key: use printable ASCII without spaces`);
      continue;
    }
    if (!isObject(record) || typeof record.email !== "string") {
      problems.push(`${label} must be an object with an "email" string`);
      continue;
    }
    if (record.active !== undefined && typeof record.active !== "boolean") {
      problems.push(`${label}.active must be true or false, got ${describeValue(record.active)}`);
      continue;
    }
    const extra = Object.keys(record).filter((field) => field !== "email" && field !== "active");
    if (extra.length > 0) {
      problems.push(`${label} has unknown fields ${extra.join(", ")}: a key has only email and active`);
      continue;
    }
    keys.set(key, { email: record.email, active: record.active ?? true });
  }
  return keys;
}

function loadOrganizations(
  input: unknown,
  domains: readonly string[],
  keys: Map<string, KeyRecord>,
  nowMicroseconds: number,
  problems: string[],
): StoredOrganization[] {
  if (!Array.isArray(input)) {
    problems.push(`organizations must be an array, got ${describeValue(input)}`);
    return [];
  }

  const organizations: StoredOrganization[] = [];
  input.forEach((fields: unknown, index) => {
    const prefix = `organizations[${index}].`;
    if (!isObject(fields)) {
      problems.push(`organizations[${index}] must be an object, got ${describeValue(fields)}`);
      return;
    }

    const before = problems.length;
    const owner = typeof fields.owner_key === "string" ? keys.get(fields.owner_key) : undefined;
    if (owner === undefined) {
      problems.push(`${prefix}owner_key must be one of the seed's keys`);
    }
    if (typeof fields.slug !== "string") {
      problems.push(`${prefix}slug is missing: every organization needs a slug`);
    } else if (organizations.some((organization) => organization.slug === fields.slug)) {
      problems.push(`${prefix}slug repeats "${fields.slug}": slugs must be unique`);
    }
    problems.push(...checkOrganizationFields(fields, domains, prefix));

    if (problems.length === before && owner !== undefined) {
      const checked = fields as Record<string, unknown> & { owner_key: string; slug: string };
      organizations.push(createStoredOrganization(checked, owner.email, nowMicroseconds));
    }
  });
  return organizations;
}

/** The mutable state of one running emulator. */
export class EmulatorState {
  domains: string[] = [];
  keys = new Map<string, KeyRecord>();
  organizations: StoredOrganization[] = [];
  requestLog: RequestLogEntry[] = [];
  /** API requests received whose response has not finished yet. */
  requestsInFlight = 0;
  /** Most API requests in flight at once since the last reset or clearing of the request log. */
  maxRequestsInFlight = 0;
  readonly faults = new FaultQueue();
  readonly throttle: Throttle;

  /** `clock` returns the time in ms since the epoch, with a fraction for sub-millisecond precision. */
  constructor(readonly clock: () => number) {
    this.throttle = new Throttle(clock);
  }

  /** Returns the time in whole microseconds since the epoch. */
  nowMicroseconds(): number {
    return Math.round(this.clock() * 1000);
  }

  /** Replaces all data with a loaded seed and clears the request log, the faults and the throttle. */
  reset(seed: LoadedSeed): void {
    this.domains = seed.domains;
    this.keys = seed.keys;
    this.organizations = seed.organizations;
    this.requestLog = [];
    this.maxRequestsInFlight = this.requestsInFlight;
    this.faults.clear();
    this.throttle.configure(null);
  }

  /** Counts an API request as in flight and returns the function that ends it; later calls do nothing. */
  startRequest(): () => void {
    this.requestsInFlight += 1;
    this.maxRequestsInFlight = Math.max(this.maxRequestsInFlight, this.requestsInFlight);
    let ended = false;
    return () => {
      if (!ended) {
        ended = true;
        this.requestsInFlight -= 1;
      }
    };
  }

  findOrganization(slug: string): StoredOrganization | undefined {
    return this.organizations.find((organization) => organization.slug === slug);
  }

  /** Appends an entry to the request log, dropping the oldest entry when the log is full. */
  logRequest(entry: RequestLogEntry): void {
    this.requestLog.push(entry);
    if (this.requestLog.length > MAX_REQUEST_LOG_ENTRIES) {
      this.requestLog.shift();
    }
  }

  /**
   * Merges snake_case fields into a stored organization, as changes in the Egret dashboard or
   * real usage would, and returns every problem found. Nothing changes when there is a problem.
   * `updated_at` moves unless the changes set it.
   */
  updateOrganization(organization: StoredOrganization, changes: Record<string, unknown>): string[] {
    const problems = checkOrganizationFields(changes, this.domains, "");

    if (Object.hasOwn(changes, "owner_key")) {
      const owner = changes.owner_key;
      if (typeof owner !== "string" || !this.keys.has(owner)) {
        problems.push("owner_key must be one of the stored keys");
      }
    }
    if (typeof changes.slug === "string" && changes.slug !== organization.slug && this.findOrganization(changes.slug)) {
      problems.push(`slug "${changes.slug}" is taken by another organization`);
    }
    if (problems.length > 0) {
      return problems;
    }

    Object.assign(organization, structuredClone(changes));
    if (Object.hasOwn(changes, "created_at")) {
      organization.created_at = formatTimestamp(parseTimestamp(organization.created_at) as number);
    }
    if (Object.hasOwn(changes, "updated_at")) {
      organization.updated_at = formatTimestamp(parseTimestamp(organization.updated_at) as number);
    } else {
      touchOrganization(organization, this.nowMicroseconds());
    }
    return [];
  }
}
