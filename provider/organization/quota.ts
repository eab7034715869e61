import type { Organization } from "../../sdk";

/** Share of a plan limit at or above which a warning is shown, unless `quotaWarningPercent` is set. */
export const DEFAULT_QUOTA_WARNING_PERCENT = 90;

/** Share of each plan limit in use, in percent. */
export interface QuotaUsage {
  /** Documents uploaded, as a percentage of `maxDocuments`. */
  documentsUsedPercent: number;
  /** Storage used, as a percentage of `maxStorageBytes`. */
  storageUsedPercent: number;
  /** Team members, as a percentage of `maxMembers`. */
  membersUsedPercent: number;
}

/**
 * Computes `used` as a percentage of `limit`, rounded down to one decimal place, so 100 appears
 * only once the limit is reached. Usage above the limit (after a plan downgrade) reports 100.
 * A limit of 0 reports 0 while nothing is used and 100 once anything is.
 */
export function usedPercent(used: number, limit: number): number {
  // NOTE: the API does not say what a limit of 0 means; this treats it as no allowance at all.
  if (limit <= 0) {
    return used > 0 ? 100 : 0;
  }
  if (used <= 0) {
    return 0;
  }
  // Whole numbers until the final division, so 45 of 50 is exactly 90 and not 89.99999.
  const tenths = Math.floor((used * 1000) / limit);
  return Math.min(1000, tenths) / 10;
}

/** Computes the share of each plan limit that the organization uses. */
export function quotaUsage(
  organization: Pick<
    Organization,
    "documentCount" | "maxDocuments" | "storageUsedBytes" | "maxStorageBytes" | "memberCount" | "maxMembers"
  >,
): QuotaUsage {
  return {
    documentsUsedPercent: usedPercent(organization.documentCount, organization.maxDocuments),
    storageUsedPercent: usedPercent(organization.storageUsedBytes, organization.maxStorageBytes),
    membersUsedPercent: usedPercent(organization.memberCount, organization.maxMembers),
  };
}

/** The usage fields a quota warning reads: the counters, the limits and the shares. */
export type QuotaFields = QuotaUsage &
  Pick<
    Organization,
    | "slug"
    | "documentCount"
    | "maxDocuments"
    | "storageUsedBytes"
    | "maxStorageBytes"
    | "storageUsedMb"
    | "maxStorageMb"
    | "memberCount"
    | "maxMembers"
  >;

/** Formats an integer with comma thousands separators, as 524,287,999. */
const GROUPED_INTEGER = new Intl.NumberFormat("en-US");

/**
 * Formats storage use against its limit in MB, as the API reports them. When the MB figures are
 * equal but the byte counts are not, it uses bytes, so a use just under the limit never reads as
 * the limit itself.
 */
function storageAmounts(fields: QuotaFields): string {
  if (fields.storageUsedMb === fields.maxStorageMb && fields.storageUsedBytes !== fields.maxStorageBytes) {
    return `${GROUPED_INTEGER.format(fields.storageUsedBytes)} of ${GROUPED_INTEGER.format(fields.maxStorageBytes)} bytes`;
  }
  return `${fields.storageUsedMb} of ${fields.maxStorageMb} MB`;
}

/**
 * Builds the warning for an organization whose share of any plan limit is at or above
 * `thresholdPercent`, listing every such limit; returns undefined when none is. The comparison
 * uses the rounded shares, so the warning agrees with the `...UsedPercent` outputs.
 */
export function quotaWarning(fields: QuotaFields, thresholdPercent = DEFAULT_QUOTA_WARNING_PERCENT): string | undefined {
  const pressed: string[] = [];
  if (fields.documentsUsedPercent >= thresholdPercent) {
    pressed.push(`documents ${fields.documentsUsedPercent}% (${fields.documentCount} of ${fields.maxDocuments})`);
  }
  if (fields.storageUsedPercent >= thresholdPercent) {
    pressed.push(`storage ${fields.storageUsedPercent}% (${storageAmounts(fields)})`);
  }
  if (fields.membersUsedPercent >= thresholdPercent) {
    pressed.push(`members ${fields.membersUsedPercent}% (${fields.memberCount} of ${fields.maxMembers})`);
  }
  if (pressed.length === 0) {
    return undefined;
  }
  return (
    `organization '${fields.slug}' uses at least ${thresholdPercent}% of its plan limits: ${pressed.join(", ")}. ` +
    "Raise the plan in the Egret dashboard or free up capacity before a limit is reached; " +
    "set quotaWarningPercent on the Organization to change when this warning appears"
  );
}
