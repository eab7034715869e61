import { checkOrganization } from "./organization/check";

/**
 * Validation of a fleet: a list of organizations kept in a data file (YAML, JSON or any other
 * format that parses to plain values), one entry per organization a stack manages. Parsing the
 * file is the caller's job, so the library depends on no file format.
 */

/** Keys a fleet entry may have. */
export const FLEET_ENTRY_KEYS = ["slug", "name", "allowedDomains"] as const;

/** One organization of a fleet, validated: the managed fields, normalized as the Organization does. */
export interface FleetEntry {
  /** Slug of an existing organization. */
  slug: string;
  /** Display name; left out, the name is not managed. */
  name?: string;
  /** Allowed domain slugs, sorted and unique; left out, the setting is not managed. */
  allowedDomains?: string[];
}

/** One problem of a fleet file: where it is and what to do about it. */
export interface FleetProblem {
  /** Position of the entry in the list, counted from 1; undefined for a problem of the whole file. */
  entry?: number;
  /** Slug of the entry, when it has a string slug. */
  slug?: string;
  /** The field at fault, such as `allowedDomains[1]`; empty for the entry or the file as a whole. */
  field: string;
  /** The problem and its fix, as one sentence or two. */
  reason: string;
}

/** The error raised for an invalid fleet file; its message lists every problem, one per line. */
export class FleetFileError extends Error {
  readonly code = "EGRET_INVALID_FLEET";

  constructor(
    /** Name of the file, as shown in the message. */
    readonly source: string,
    readonly problems: FleetProblem[],
  ) {
    super(formatFleetProblems(source, problems));
    this.name = "FleetFileError";
  }
}

/** Formats problems as one message: a summary line, then one line per problem. */
export function formatFleetProblems(source: string, problems: readonly FleetProblem[]): string {
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const lines = problems.map((problem) => `  - ${locate(problem)}: ${problem.reason}`);
  return [`${source} has ${count}; fix them, then run pulumi up again:`, ...lines].join("\n");
}

function locate(problem: FleetProblem): string {
  const parts: string[] = [];
  if (problem.entry !== undefined) {
    parts.push(problem.slug === undefined ? `entry ${problem.entry}` : `entry ${problem.entry} (slug '${problem.slug}')`);
  }
  if (problem.field !== "") {
    parts.push(problem.field);
  }
  return parts.length === 0 ? "file" : parts.join(", ");
}

function describeValue(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "a list";
  }
  return typeof value === "object" ? "a mapping" : `${typeof value} ${JSON.stringify(value)}`;
}

/**
 * Validates a parsed fleet file. Returns every problem at once: a file that is not a list,
 * entries that are not mappings, unknown keys, each failure of the Organization's own check,
 * and slugs listed more than once. The entries are returned only when there is no problem, so a
 * caller never manages half a file. Never throws.
 */
export function validateFleet(data: unknown): { entries: FleetEntry[]; problems: FleetProblem[] } {
  if (data === null || data === undefined) {
    return {
      entries: [],
      problems: [{ field: "", reason: "the file is empty: list the organizations, such as '- slug: egret-ai', or write [] for none" }],
    };
  }
  if (!Array.isArray(data)) {
    return {
      entries: [],
      problems: [
        {
          field: "",
          reason: `the file must be a list of organizations, such as '- slug: egret-ai', got ${describeValue(data)}`,
        },
      ],
    };
  }

  const entries: FleetEntry[] = [];
  const problems: FleetProblem[] = [];
  data.forEach((item, index) => {
    const entry = validateEntry(item, index + 1, problems);
    if (entry !== undefined) {
      entries.push(entry);
    }
  });
  problems.push(...duplicateSlugs(data));
  return { entries: problems.length === 0 ? entries : [], problems };
}

function validateEntry(item: unknown, position: number, problems: FleetProblem[]): FleetEntry | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    problems.push({
      entry: position,
      field: "",
      reason: `an entry must be a mapping with slug, name and allowedDomains, got ${describeValue(item)}`,
    });
    return undefined;
  }

  const raw = item as Record<string, unknown>;
  const slug = typeof raw.slug === "string" ? raw.slug : undefined;
  const found = problems.length;
  for (const key of Object.keys(raw)) {
    if (!(FLEET_ENTRY_KEYS as readonly string[]).includes(key)) {
      problems.push({
        entry: position,
        slug,
        field: key,
        reason: `unknown key '${key}': an entry takes ${FLEET_ENTRY_KEYS.join(", ")}; remove it or fix its spelling`,
      });
    }
  }

  const known = Object.fromEntries(FLEET_ENTRY_KEYS.filter((key) => key in raw).map((key) => [key, raw[key]]));
  const { inputs, failures } = checkOrganization(known);
  for (const failure of failures) {
    problems.push({ entry: position, slug, field: failure.property, reason: failure.reason });
  }
  if (problems.length > found) {
    return undefined;
  }

  const entry: FleetEntry = { slug: inputs.slug as string };
  if (inputs.name !== undefined) {
    entry.name = inputs.name as string;
  }
  if (inputs.allowedDomains !== undefined) {
    entry.allowedDomains = inputs.allowedDomains as string[];
  }
  return entry;
}

function duplicateSlugs(data: readonly unknown[]): FleetProblem[] {
  const positions = new Map<string, number[]>();
  data.forEach((item, index) => {
    const slug = (item as { slug?: unknown } | null)?.slug;
    if (typeof slug === "string") {
      const listed = positions.get(slug);
      if (listed === undefined) {
        positions.set(slug, [index + 1]);
      } else {
        listed.push(index + 1);
      }
    }
  });

  const problems: FleetProblem[] = [];
  for (const [slug, listed] of positions) {
    if (listed.length > 1) {
      problems.push({
        entry: listed[1],
        slug,
        field: "slug",
        reason:
          `slug '${slug}' is listed in entries ${listEntries(listed)}: each organization may appear once, ` +
          "so merge those entries into one",
      });
    }
  }
  return problems;
}

/** Most entry numbers named in one duplicate-slug problem; the rest are counted. */
const MAX_LISTED_ENTRIES = 10;

function listEntries(positions: readonly number[]): string {
  const shown = positions.slice(0, MAX_LISTED_ENTRIES).join(", ");
  const more = positions.length - MAX_LISTED_ENTRIES;
  return more > 0 ? `${shown} and ${more} more` : shown;
}
