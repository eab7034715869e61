/** Managed fields: the ones the resource writes. A field left out of the program is not managed. */
export type ManagedField = "name" | "allowedDomains";
export const MANAGED_FIELDS: readonly ManagedField[] = ["name", "allowedDomains"];

/** Inputs of an Organization after check: validated, with allowed domains sorted and unique. */
export interface OrganizationInputs {
  slug: string;
  name?: string;
  allowedDomains?: string[];
  restoreOnDelete?: boolean;
  /** Whether create and update wait until the knowledge base is active. */
  waitForKbActive?: boolean;
  /** Maximum wait for an active knowledge base, in seconds. */
  kbActiveTimeoutSeconds?: number;
  /** Share of a plan limit, in percent, at or above which a warning is shown. */
  quotaWarningPercent?: number;
}

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

/** Outputs of an Organization, as stored in state: the organization's details plus the resource's own record. */
export interface OrganizationOutputs extends OrganizationDetails {
  restoreOnDelete: boolean;
  managedFields: ManagedField[];
  /** The `waitForKbActive` input, false when not set. */
  waitForKbActive: boolean;
  /** The `kbActiveTimeoutSeconds` input, or its default. */
  kbActiveTimeoutSeconds: number;
  /** The `quotaWarningPercent` input, or its default. */
  quotaWarningPercent: number;
  adoptedName?: string;
  adoptedAllowedDomains?: string[];
}

/** One invalid input: the property path and what to do. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** Result of a diff: whether anything changes, and which properties force a replacement. */
export interface DiffResult {
  changes: boolean;
  /** Properties whose change needs an update. */
  updates: string[];
  /** Properties whose change needs a replacement. */
  replaces: string[];
}
