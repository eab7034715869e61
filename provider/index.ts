/**
 * `@egret/pulumi`: manage Egret organizations with Pulumi.
 *
 * Importing this module only loads the library: it starts no server and opens no port.
 */
export { Organization, type OrganizationArgs } from "./dynamic/organization";
export type { OrganizationOutputs, ManagedField, CheckFailure } from "./organization/types";
export { checkOrganization } from "./organization/check";
export {
  FLEET_ENTRY_KEYS,
  FleetFileError,
  formatFleetProblems,
  validateFleet,
  type FleetEntry,
  type FleetProblem,
} from "./fleet";
export {
  getOrganization,
  getOrganizationOutput,
  listOrganizations,
  listOrganizationsOutput,
  type GetOrganizationArgs,
  type GetOrganizationOutputArgs,
  type GetOrganizationResult,
  type ListOrganizationsResult,
} from "./lookups";
export type { OrganizationDetails, OrganizationList } from "./organization/lookup";
export { DEFAULT_QUOTA_WARNING_PERCENT, quotaUsage, quotaWarning, usedPercent, type QuotaUsage } from "./organization/quota";
export {
  DEFAULT_KB_ACTIVE_TIMEOUT_SECONDS,
  KB_STOPPED_STATUSES,
  KnowledgeBaseStoppedError,
  KnowledgeBaseTimeoutError,
  KnowledgeBaseWaitCancelledError,
  KnowledgeBaseWaitError,
  MAX_KB_ACTIVE_TIMEOUT_SECONDS,
} from "./organization/readiness";
