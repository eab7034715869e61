/**
 * The organization record: how the emulator stores, checks, changes and serializes it.
 */

import { randomUUID } from "node:crypto";

/** Bytes in one MB, as the API counts them for `max_storage_mb` and `storage_used_mb`. */
export const BYTES_PER_MB = 1_048_576;

/** Pattern of a slug in a URL path, the same as Django's `slug` path converter. */
export const SLUG_PATTERN = /^[-a-zA-Z0-9_]+$/;

/** Maximum length of `name` in characters (Unicode code points, as Python counts them). */
export const MAX_NAME_LENGTH = 255;

/**
 * An organization as the emulator stores it: every field of the API's organization object
 * except the two computed MB fields, any extra snake_case fields, and the owner's API key.
 */
export interface StoredOrganization {
  /** API key of the owner. It decides who can see the organization and is never serialized. */
  owner_key: string;
  slug: string;
  name: string;
  allowed_domains: string[];
  max_storage_bytes: number;
  storage_used_bytes: number;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}

type FieldKind = "uuid" | "slug" | "name" | "text" | "domains" | "count" | "boolean" | "timestamp" | "computed";

/** The documented fields in serialization order, each with the kind of value it must contain. */
const ORGANIZATION_FIELDS: ReadonlyArray<readonly [string, FieldKind]> = [
  ["id", "uuid"],
  ["slug", "slug"],
  ["name", "name"],
  ["owner_email", "text"],
  ["s3_prefix", "text"],
  ["allowed_domains", "domains"],
  ["max_documents", "count"],
  ["max_storage_bytes", "count"],
  ["max_storage_mb", "computed"],
  ["max_members", "count"],
  ["document_count", "count"],
  ["storage_used_bytes", "count"],
  ["storage_used_mb", "computed"],
  ["member_count", "count"],
  ["kb_status", "text"],
  ["is_active", "boolean"],
  ["created_at", "timestamp"],
  ["updated_at", "timestamp"],
];

const FIELD_KINDS = new Map<string, FieldKind>(ORGANIZATION_FIELDS);

const SNAKE_CASE_PATTERN = /^[a-z][a-z0-9_]*$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP_PATTERN = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;

/** Parses an ISO 8601 UTC timestamp such as `2026-03-25T21:54:52.674567Z` into microseconds since the epoch. */
export function parseTimestamp(text: string): number | null {
  const match = TIMESTAMP_PATTERN.exec(text);
  if (match === null) {
    return null;
  }

  const milliseconds = Date.parse(`${match[1]}Z`);
  if (Number.isNaN(milliseconds)) {
    return null;
  }

  const fraction = (match[2] ?? "").padEnd(6, "0");
  return milliseconds * 1000 + Number(fraction);
}

/** Formats microseconds since the epoch the way Django REST Framework does: six fraction digits and `Z`. */
export function formatTimestamp(microseconds: number): string {
  const whole = Math.max(0, Math.round(microseconds));
  const seconds = new Date(Math.floor(whole / 1000)).toISOString().slice(0, 19);
  const fraction = String(whole % 1_000_000).padStart(6, "0");
  return `${seconds}.${fraction}Z`;
}

/** Returns a short JSON rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  const text = value === undefined ? "undefined" : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Counts characters the way Python does, so that an emoji counts once. */
function countCharacters(text: string): number {
  return [...text].length;
}

/**
 * Checks one field value of a stored organization and returns the problem, or null when the
 * value fits the field. Used for seeds and for control-endpoint changes, not for API PATCH bodies.
 */
function checkStoredValue(field: string, value: unknown, domains: readonly string[]): string | null {
  const kind = FIELD_KINDS.get(field);

  switch (kind) {
    case undefined:
      return value === undefined ? "must not be undefined" : null;

    case "computed": {
      const source = field === "max_storage_mb" ? "max_storage_bytes" : "storage_used_bytes";
      return `is computed from ${source}: set ${source} instead`;
    }

    case "uuid":
      return typeof value === "string" && UUID_PATTERN.test(value)
        ? null
        : `must be a UUID string such as "0d4f8133-cefb-47da-8a7b-fb118b1895e9", got ${describeValue(value)}`;

    case "slug":
      return typeof value === "string" && SLUG_PATTERN.test(value)
        ? null
        : `must be a slug of letters, digits, "-" and "_", got ${describeValue(value)}`;

    case "name":
      if (typeof value !== "string" || value.trim() === "") {
        return `must be a non-blank string, got ${describeValue(value)}`;
      }
      return countCharacters(value) <= MAX_NAME_LENGTH
        ? null
        : `must have at most ${MAX_NAME_LENGTH} characters, got ${countCharacters(value)}`;

    case "text":
      return typeof value === "string" ? null : `must be a string, got ${describeValue(value)}`;

    case "domains": {
      if (!Array.isArray(value)) {
        return `must be an array of domain slugs, got ${describeValue(value)}`;
      }
      const unknown = value.filter((entry) => typeof entry !== "string" || !domains.includes(entry));
      return unknown.length === 0
        ? null
        : `contains ${unknown.map(describeValue).join(", ")}, which the domain catalogue does not contain: add them to the seed's domains or remove them`;
    }

    case "count":
      return Number.isSafeInteger(value) && (value as number) >= 0
        ? null
        : `must be a non-negative integer, got ${describeValue(value)}`;

    case "boolean":
      return typeof value === "boolean" ? null : `must be true or false, got ${describeValue(value)}`;

    case "timestamp":
      return typeof value === "string" && parseTimestamp(value) !== null
        ? null
        : `must be an ISO 8601 UTC timestamp such as "2026-03-25T21:54:52.674567Z", got ${describeValue(value)}`;
  }
}

/**
 * Checks field names and values for a stored organization and returns one message per problem,
 * each starting with `prefix` and the field name, for example `organizations[0].` then `slug`.
 * `owner_key` is checked by the caller.
 */
export function checkOrganizationFields(
  fields: Record<string, unknown>,
  domains: readonly string[],
  prefix: string,
): string[] {
  const problems: string[] = [];

  for (const [field, value] of Object.entries(fields)) {
    if (field === "owner_key") {
      continue;
    }
    if (!SNAKE_CASE_PATTERN.test(field)) {
      problems.push(`${prefix}${field} is not a snake_case field name: use lower-case letters, digits and "_"`);
      continue;
    }

    const problem = checkStoredValue(field, value, domains);
    if (problem !== null) {
      problems.push(`${prefix}${field} ${problem}`);
    }
  }

  return problems;
}

/**
 * Builds a stored organization from checked seed fields, filling every missing documented field
 * with its default.
 */
export function createStoredOrganization(
  fields: Record<string, unknown> & { owner_key: string; slug: string },
  ownerEmail: string,
  nowMicroseconds: number,
): StoredOrganization {
  const now = formatTimestamp(nowMicroseconds);
  const slug = fields.slug;

  const defaults = {
    id: randomUUID(),
    slug,
    name: slug,
    owner_email: ownerEmail,
    s3_prefix: `orgs/${slug}/`,
    allowed_domains: [],
    max_documents: 50,
    max_storage_bytes: 500 * BYTES_PER_MB,
    max_members: 5,
    document_count: 0,
    storage_used_bytes: 0,
    member_count: 1,
    kb_status: "active",
    is_active: true,
    created_at: now,
    updated_at: now,
  };

  const organization = { ...defaults, ...structuredClone(fields) } as StoredOrganization;
  organization.created_at = formatTimestamp(parseTimestamp(organization.created_at) ?? nowMicroseconds);
  organization.updated_at = formatTimestamp(parseTimestamp(organization.updated_at) ?? nowMicroseconds);
  return organization;
}

/**
 * Sets `updated_at` to now, or to one microsecond after its current value when the clock has not
 * moved past it, so that every change moves the timestamp forward.
 */
export function touchOrganization(organization: StoredOrganization, nowMicroseconds: number): void {
  const previous = parseTimestamp(organization.updated_at) ?? 0;
  organization.updated_at = formatTimestamp(Math.max(Math.round(nowMicroseconds), previous + 1));
}

/**
 * Returns the organization as the API sends it: the documented fields in the documented order,
 * the MB fields computed from the byte fields, then any extra fields. `owner_key` is left out.
 */
export function serializeOrganization(organization: StoredOrganization): Record<string, unknown> {
  const output: Record<string, unknown> = {};

  // NOTE: JSON.stringify writes 500 where the Python service writes 500.0. Both are the same
  // JSON number, but a client that compares the raw text would see a difference.
  for (const [field, kind] of ORGANIZATION_FIELDS) {
    if (field === "max_storage_mb") {
      output[field] = organization.max_storage_bytes / BYTES_PER_MB;
    } else if (field === "storage_used_mb") {
      output[field] = Math.round((organization.storage_used_bytes / BYTES_PER_MB) * 100) / 100;
    } else if (kind !== "computed") {
      output[field] = organization[field];
    }
  }

  for (const [field, value] of Object.entries(organization)) {
    if (field !== "owner_key" && !Object.hasOwn(output, field)) {
      output[field] = value;
    }
  }

  return structuredClone(output);
}

/** The result of validating an API PATCH body: the changes to apply, or DRF-style field errors. */
export interface OrganizationPatch {
  changes: { name?: string; allowed_domains?: string[] };
  errors: Record<string, string[]>;
}

/**
 * Validates the writable fields of an API PATCH body the way a DRF serializer with
 * `partial=True` would. Unknown and read-only fields are ignored. Every invalid field gets its
 * messages, so one response reports all of them.
 */
export function validateOrganizationPatch(body: Record<string, unknown>, domains: readonly string[]): OrganizationPatch {
  const result: OrganizationPatch = { changes: {}, errors: {} };

  if (Object.hasOwn(body, "name")) {
    const name = body.name;
    if (name === null) {
      result.errors.name = ["This field may not be null."];
    } else if (typeof name !== "string") {
      result.errors.name = ["Not a valid string."];
    } else if (name.trim() === "") {
      result.errors.name = ["This field may not be blank."];
    } else if (countCharacters(name.trim()) > MAX_NAME_LENGTH) {
      result.errors.name = [`Ensure this field has no more than ${MAX_NAME_LENGTH} characters.`];
    } else {
      // DRF's CharField trims surrounding whitespace before it stores the value.
      result.changes.name = name.trim();
    }
  }

  if (Object.hasOwn(body, "allowed_domains")) {
    const requested = body.allowed_domains;
    if (requested === null) {
      result.errors.allowed_domains = ["This field may not be null."];
    } else if (!Array.isArray(requested)) {
      result.errors.allowed_domains = [`Expected a list of items but got type "${pythonTypeName(requested)}".`];
    } else {
      const messages: string[] = [];
      for (const entry of requested) {
        if (typeof entry !== "string") {
          messages.push("Not a valid string.");
        } else if (!domains.includes(entry)) {
          messages.push(`Unknown domain: ${entry}`);
        }
      }

      if (messages.length > 0) {
        result.errors.allowed_domains = messages;
      } else {
        // NOTE: the list is a set on the service, so the emulator drops duplicates and returns
        // catalogue order, not request order. The real order is not documented.
        result.changes.allowed_domains = domains.filter((domain) => requested.includes(domain));
      }
    }
  }

  return result;
}

/** Returns the name of the Python type that `json.loads` would produce for a parsed JSON value. */
export function pythonTypeName(value: unknown): string {
  if (value === null) {
    return "NoneType";
  }
  if (Array.isArray(value)) {
    return "list";
  }
  switch (typeof value) {
    case "string":
      return "str";
    case "boolean":
      return "bool";
    case "number":
      return Number.isInteger(value) ? "int" : "float";
    default:
      return "dict";
  }
}
