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

/** Outputs of an Organization, as stored in state. */
export interface OrganizationOutputs {
  slug: string;
  name: string;
  allowedDomains: string[];
  restoreOnDelete: boolean;
  organizationId: string;
  ownerEmail: string;
  s3Prefix: string;
  maxDocuments: number;
  maxStorageBytes: number;
  maxStorageMb: number;
  maxMembers: number;
  documentCount: number;
  storageUsedBytes: number;
  storageUsedMb: number;
  memberCount: number;
  /** Documents uploaded as a percentage of `maxDocuments`, rounded down to one decimal place. */
  documentsUsedPercent: number;
  /** Storage used as a percentage of `maxStorageBytes`, rounded down to one decimal place. */
  storageUsedPercent: number;
  /** Team members as a percentage of `maxMembers`, rounded down to one decimal place. */
  membersUsedPercent: number;
  kbStatus: string;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
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
