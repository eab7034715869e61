import { slugProblem, type EgretClient, type EgretError, type Organization } from "../../sdk";
import { normalizeDomains } from "./check";
import { quotaUsage } from "./quota";

/**
 * An organization as the lookups return it: the fields of the API's organization object in
 * camelCase, named as the Organization resource's outputs, with the UUID as `organizationId`.
 */
export interface OrganizationDetails {
  /** URL-safe identifier used in API paths. */
  slug: string;
  /** Display name. */
  name: string;
  /** Domain slugs that the organization's API keys may query, sorted; empty means every domain. */
  allowedDomains: string[];
  /** Stable UUID of the organization. */
  organizationId: string;
  /** Email of the organization's owner. */
  ownerEmail: string;
  /** Storage prefix of the organization's documents, such as `orgs/egret-ai/`. */
  s3Prefix: string;
  /** Plan limit on private documents. */
  maxDocuments: number;
  /** Plan limit on storage, in bytes. */
  maxStorageBytes: number;
  /** Plan limit on storage, in MB. */
  maxStorageMb: number;
  /** Plan limit on team members. */
  maxMembers: number;
  /** Documents uploaded. */
  documentCount: number;
  /** Storage used, in bytes. */
  storageUsedBytes: number;
  /** Storage used, in MB rounded to 2 decimals. */
  storageUsedMb: number;
  /** Team members. */
  memberCount: number;
  /** Documents uploaded as a percentage of `maxDocuments`, 0 to 100, rounded down to one decimal place. */
  documentsUsedPercent: number;
  /** Storage used as a percentage of `maxStorageBytes`, 0 to 100, rounded down to one decimal place. */
  storageUsedPercent: number;
  /** Team members as a percentage of `maxMembers`, 0 to 100, rounded down to one decimal place. */
  membersUsedPercent: number;
  /** Knowledge-base status: `active` when it accepts uploads and queries. */
  kbStatus: string;
  /** Whether the organization is active. */
  isActive: boolean;
  /** Creation time, ISO 8601. */
  createdAt: string;
  /** Time of the last change, ISO 8601. */
  updatedAt: string;
}

/** Result of listing organizations: every organization the API key's user has. */
export interface OrganizationList {
  /** The organizations, in the order the API returned them. */
  organizations: OrganizationDetails[];
}

/** Maps an organization from the API client to the lookups' shape. */
export function toDetails(organization: Organization): OrganizationDetails {
  return {
    slug: organization.slug,
    name: organization.name,
    allowedDomains: normalizeDomains(organization.allowedDomains) as string[],
    organizationId: organization.id,
    ownerEmail: organization.ownerEmail,
    s3Prefix: organization.s3Prefix,
    maxDocuments: organization.maxDocuments,
    maxStorageBytes: organization.maxStorageBytes,
    maxStorageMb: organization.maxStorageMb,
    maxMembers: organization.maxMembers,
    documentCount: organization.documentCount,
    storageUsedBytes: organization.storageUsedBytes,
    storageUsedMb: organization.storageUsedMb,
    memberCount: organization.memberCount,
    ...quotaUsage(organization),
    kbStatus: organization.kbStatus,
    isActive: organization.isActive,
    createdAt: organization.createdAt,
    updatedAt: organization.updatedAt,
  };
}

/** The error raised when a lookup names a slug that the API key's user does not have. */
export class OrganizationLookupError extends Error {
  readonly code = "EGRET_NOT_FOUND";

  constructor(readonly slug: string, cause: EgretError) {
    super(
      `organization '${slug}' was not found with this API key: check the slug, or call listOrganizations ` +
        "to see every organization the key can read",
      { cause },
    );
    this.name = "OrganizationLookupError";
  }
}

/**
 * Fetches one organization by slug with one GET. Raises a plain Error for an invalid slug
 * before any request, and OrganizationLookupError when the API responds with 404.
 */
export async function lookupOrganization(client: EgretClient, slug: unknown): Promise<OrganizationDetails> {
  const problem = slugProblem(slug);
  if (problem !== undefined) {
    throw new Error(`invalid slug ${JSON.stringify(slug) ?? String(slug)} for getOrganization: it ${problem}`);
  }

  try {
    return toDetails(await client.getOrganization(slug as string));
  } catch (error) {
    if (error instanceof Error && (error as { code?: unknown }).code === "EGRET_NOT_FOUND") {
      throw new OrganizationLookupError(slug as string, error as EgretError);
    }
    throw error;
  }
}

/** Lists every organization of the API key's user with one GET. */
export async function lookupOrganizations(client: EgretClient): Promise<OrganizationList> {
  const organizations = await client.listOrganizations();
  return { organizations: organizations.map(toDetails) };
}
