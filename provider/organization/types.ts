/** Managed fields: the ones the resource writes. A field left out of the program is not managed. */
export type ManagedField = "name" | "allowedDomains";
export const MANAGED_FIELDS: readonly ManagedField[] = ["name", "allowedDomains"];

/** Inputs of an Organization after check: validated, with allowed domains sorted and unique. */
export interface OrganizationInputs {
  slug: string;
  name?: string;
  allowedDomains?: string[];
  restoreOnDelete?: boolean;
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
  kbStatus: string;
  isActive: boolean;
  createdAt: string;
  updatedAt: string;
  managedFields: ManagedField[];
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
