import { z } from "zod";

/**
 * The organization object as the API sends it (snake_case). Unknown fields are accepted and
 * dropped, because the service may add fields at any time.
 */
const wireOrganization = z.looseObject({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  owner_email: z.string(),
  s3_prefix: z.string(),
  allowed_domains: z.array(z.string()),
  max_documents: z.number().int(),
  max_storage_bytes: z.number().int(),
  max_storage_mb: z.number(),
  max_members: z.number().int(),
  document_count: z.number().int(),
  storage_used_bytes: z.number().int(),
  storage_used_mb: z.number(),
  member_count: z.number().int(),
  kb_status: z.string(),
  is_active: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});

const wireOrganizationList = z.array(wireOrganization);

type WireOrganization = z.infer<typeof wireOrganization>;

/** An Egret organization, as the client returns it. */
export interface Organization {
  /** Stable UUID of the organization. */
  id: string;
  /** URL-safe identifier used in API paths. */
  slug: string;
  /** Display name. */
  name: string;
  /** Email of the organization's owner. */
  ownerEmail: string;
  /** Storage prefix of the organization's documents, such as `orgs/egret-ai/`. */
  s3Prefix: string;
  /** Domain slugs that the organization's API keys may query; empty means every domain. */
  allowedDomains: string[];
  /** Plan limit on private documents. */
  maxDocuments: number;
  /** Plan limit on storage, in bytes. */
  maxStorageBytes: number;
  /** Plan limit on storage, in MB (bytes / 1048576). */
  maxStorageMb: number;
  /** Plan limit on team members. */
  maxMembers: number;
  /** Documents uploaded now. */
  documentCount: number;
  /** Storage used now, in bytes. */
  storageUsedBytes: number;
  /** Storage used now, in MB rounded to 2 decimals. */
  storageUsedMb: number;
  /** Team members now. */
  memberCount: number;
  /** `active` when the knowledge base accepts uploads and queries. */
  kbStatus: string;
  /** Whether the organization is active. */
  isActive: boolean;
  /** Creation time, ISO 8601. */
  createdAt: string;
  /** Time of the last change, ISO 8601; moves on every successful update. */
  updatedAt: string;
}

/** The writable fields of an organization. A field left undefined is not sent. */
export interface OrganizationUpdate {
  name?: string;
  allowedDomains?: string[];
}

/** Maps one wire organization to the client's camelCase shape. */
function fromWire(wire: WireOrganization): Organization {
  return {
    id: wire.id,
    slug: wire.slug,
    name: wire.name,
    ownerEmail: wire.owner_email,
    s3Prefix: wire.s3_prefix,
    allowedDomains: wire.allowed_domains,
    maxDocuments: wire.max_documents,
    maxStorageBytes: wire.max_storage_bytes,
    maxStorageMb: wire.max_storage_mb,
    maxMembers: wire.max_members,
    documentCount: wire.document_count,
    storageUsedBytes: wire.storage_used_bytes,
    storageUsedMb: wire.storage_used_mb,
    memberCount: wire.member_count,
    kbStatus: wire.kb_status,
    isActive: wire.is_active,
    createdAt: wire.created_at,
    updatedAt: wire.updated_at,
  };
}

/** Maps an update to the PATCH body; undefined fields are left out so they are never sent. */
export function updateToWire(update: OrganizationUpdate): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (update.name !== undefined) {
    body.name = update.name;
  }
  if (update.allowedDomains !== undefined) {
    body.allowed_domains = update.allowedDomains;
  }
  return body;
}

/** Result of validating a response body: the value, or a description of what is wrong. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "body"}: ${issue.message}`)
    .join("; ");
}

/** Validates one organization object and maps it to camelCase. */
export function parseOrganization(body: unknown): Parsed<Organization> {
  const result = wireOrganization.safeParse(body);
  return result.success ? { ok: true, value: fromWire(result.data) } : { ok: false, problem: describeIssues(result.error) };
}

/** Validates a list of organization objects and maps each to camelCase. */
export function parseOrganizationList(body: unknown): Parsed<Organization[]> {
  const result = wireOrganizationList.safeParse(body);
  return result.success ? { ok: true, value: result.data.map(fromWire) } : { ok: false, problem: describeIssues(result.error) };
}

/** The slug format of the API: letters, digits, `-` and `_`, at most 50 characters. */
export const SLUG_PATTERN = /^[-a-zA-Z0-9_]+$/;
export const SLUG_MAX_LENGTH = 50;

/** Returns why `slug` is not a valid organization slug, or undefined when it is valid. */
export function slugProblem(slug: unknown): string | undefined {
  if (typeof slug !== "string") {
    return `must be a string, got ${slug === null ? "null" : typeof slug}`;
  }
  if (slug.length === 0) {
    return "must not be empty";
  }
  if (slug.length > SLUG_MAX_LENGTH) {
    return `must be at most ${SLUG_MAX_LENGTH} characters, got ${slug.length}`;
  }
  if (!SLUG_PATTERN.test(slug)) {
    return "may contain only letters, digits, '-' and '_'";
  }
  return undefined;
}
