import { SLUG_MAX_LENGTH, slugProblem } from "../../sdk";
import { DEFAULT_QUOTA_WARNING_PERCENT } from "./quota";
import { DEFAULT_KB_ACTIVE_TIMEOUT_SECONDS, MAX_KB_ACTIVE_TIMEOUT_SECONDS } from "./readiness";
import type { CheckFailure, OrganizationInputs } from "./types";

/**
 * The value Pulumi sends for an input that is not known yet during a preview, such as another
 * resource's output. Inputs holding it are not validated until they are known.
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Maximum name length the API accepts, in characters. */
export const NAME_MAX_LENGTH = 255;
/** Maximum domain slug length. NOTE: the API documents no limit, so 100 is an assumption. */
export const DOMAIN_MAX_LENGTH = 100;
const DOMAIN_PATTERN = /^[-a-zA-Z0-9_]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

const KNOWN_PROPERTIES = new Set([
  "slug",
  "name",
  "allowedDomains",
  "restoreOnDelete",
  "waitForKbActive",
  "kbActiveTimeoutSeconds",
  "quotaWarningPercent",
]);

/** Keys of the inputs object that are not inputs of the resource and are passed through silently. */
const IGNORED_PROPERTIES = new Set(["__provider", "__defaults"]);

function describe(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}...` : value);
  }
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/**
 * Sorts allowed domains and drops duplicates, because the API treats the list as a set. Entries
 * that are not strings are kept, after the strings, so check can report them.
 */
export function normalizeDomains(domains: readonly unknown[]): unknown[] {
  const strings = [...new Set(domains.filter((domain): domain is string => typeof domain === "string"))];
  strings.sort();
  return [...strings, ...domains.filter((domain) => typeof domain !== "string")];
}

/**
 * Validates the inputs of an Organization and normalizes them. Returns every failure at once,
 * each with its property path and the fix; never throws, whatever JSON it is given.
 */
export function checkOrganization(news: unknown): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  if (typeof news !== "object" || news === null || Array.isArray(news)) {
    return {
      inputs: {},
      failures: [{ property: "", reason: `inputs must be an object, got ${describe(news)}` }],
    };
  }
  const raw = news as Record<string, unknown>;
  const inputs: Record<string, unknown> = { ...raw };

  for (const key of Object.keys(raw)) {
    if (!KNOWN_PROPERTIES.has(key) && !IGNORED_PROPERTIES.has(key)) {
      failures.push({
        property: key,
        reason:
          `unknown property '${key}': an Organization takes slug, name, allowedDomains, restoreOnDelete, ` +
          "waitForKbActive, kbActiveTimeoutSeconds and quotaWarningPercent",
      });
    }
  }

  checkSlug(raw.slug, failures);
  checkName(raw.name, failures);
  const domains = checkDomains(raw.allowedDomains, failures);
  if (domains !== undefined) {
    inputs.allowedDomains = domains;
  }
  if (raw.restoreOnDelete !== undefined && raw.restoreOnDelete !== UNKNOWN && typeof raw.restoreOnDelete !== "boolean") {
    failures.push({
      property: "restoreOnDelete",
      reason: `restoreOnDelete must be true or false, got ${describe(raw.restoreOnDelete)}`,
    });
  }
  checkReadiness(raw, failures);
  checkQuotaWarningPercent(raw.quotaWarningPercent, failures);
  return { inputs, failures };
}

function checkReadiness(raw: Record<string, unknown>, failures: CheckFailure[]): void {
  const { waitForKbActive, kbActiveTimeoutSeconds } = raw;
  if (waitForKbActive !== undefined && waitForKbActive !== UNKNOWN && typeof waitForKbActive !== "boolean") {
    failures.push({
      property: "waitForKbActive",
      reason: `waitForKbActive must be true or false, got ${describe(waitForKbActive)}`,
    });
  }
  if (kbActiveTimeoutSeconds === undefined || kbActiveTimeoutSeconds === UNKNOWN) {
    return;
  }
  if (
    typeof kbActiveTimeoutSeconds !== "number" ||
    !Number.isInteger(kbActiveTimeoutSeconds) ||
    kbActiveTimeoutSeconds < 1 ||
    kbActiveTimeoutSeconds > MAX_KB_ACTIVE_TIMEOUT_SECONDS
  ) {
    failures.push({
      property: "kbActiveTimeoutSeconds",
      reason:
        `kbActiveTimeoutSeconds must be a whole number of seconds from 1 to ${MAX_KB_ACTIVE_TIMEOUT_SECONDS}, ` +
        `got ${describe(kbActiveTimeoutSeconds)}; leave it out for the default of ${DEFAULT_KB_ACTIVE_TIMEOUT_SECONDS}`,
    });
  }
}

function checkQuotaWarningPercent(percent: unknown, failures: CheckFailure[]): void {
  if (percent === undefined || percent === UNKNOWN) {
    return;
  }
  if (typeof percent !== "number" || !Number.isFinite(percent) || percent <= 0 || percent > 100) {
    failures.push({
      property: "quotaWarningPercent",
      reason:
        `quotaWarningPercent must be a number greater than 0 and at most 100, got ${describe(percent)}; ` +
        `leave it out for the default of ${DEFAULT_QUOTA_WARNING_PERCENT}`,
    });
  }
}

function checkSlug(slug: unknown, failures: CheckFailure[]): void {
  if (slug === UNKNOWN) {
    return;
  }
  if (slug === undefined || slug === null) {
    failures.push({
      property: "slug",
      reason: "missing required property 'slug': set it to the organization's slug from the Egret dashboard, such as 'egret-ai'",
    });
    return;
  }
  const problem = slugProblem(slug);
  if (problem !== undefined) {
    failures.push({
      property: "slug",
      reason:
        `invalid slug ${describe(slug)}: it ${problem}. Use the organization's slug from the Egret dashboard ` +
        `(letters, digits, '-' and '_', at most ${SLUG_MAX_LENGTH} characters)`,
    });
  }
}

function checkName(name: unknown, failures: CheckFailure[]): void {
  if (name === undefined || name === UNKNOWN) {
    return;
  }
  if (typeof name !== "string") {
    failures.push({
      property: "name",
      reason: `name must be a string, got ${describe(name)}; leave it out to keep the name set in the dashboard`,
    });
    return;
  }
  if (name.trim() === "") {
    failures.push({
      property: "name",
      reason: "name must not be blank; leave it out to keep the name set in the dashboard",
    });
  }
  if (name.trim() !== "" && name.trim() !== name) {
    // The API strips it, so the stored name would never match and every refresh would show drift.
    failures.push({
      property: "name",
      reason: `name ${describe(name)} starts or ends with whitespace, which the API removes; remove it`,
    });
  }
  // The API counts characters (code points), not UTF-16 units: an emoji is one character.
  const length = [...name].length;
  if (length > NAME_MAX_LENGTH) {
    failures.push({
      property: "name",
      reason: `name is ${length} characters long; shorten it to at most ${NAME_MAX_LENGTH}`,
    });
  }
  if (CONTROL_CHARACTERS.test(name)) {
    failures.push({
      property: "name",
      reason: `name ${describe(name)} contains a control character (such as a newline or tab); remove it`,
    });
  }
}

/** Validates allowed domains and returns them sorted and unique, or undefined when not a list. */
function checkDomains(domains: unknown, failures: CheckFailure[]): unknown[] | undefined {
  if (domains === undefined || domains === UNKNOWN) {
    return undefined;
  }
  if (!Array.isArray(domains)) {
    failures.push({
      property: "allowedDomains",
      reason:
        `allowedDomains must be a list of domain slugs such as ["business-continuity"], got ${describe(domains)}; ` +
        "use [] to allow every domain, or leave it out to leave the setting unmanaged",
    });
    return undefined;
  }
  domains.forEach((domain, index) => {
    const property = `allowedDomains[${index}]`;
    if (domain === UNKNOWN) {
      return;
    }
    if (typeof domain !== "string") {
      failures.push({ property, reason: `domain must be a string such as "business-continuity", got ${describe(domain)}` });
    } else if (domain.length === 0 || domain.length > DOMAIN_MAX_LENGTH || !DOMAIN_PATTERN.test(domain)) {
      failures.push({
        property,
        reason:
          `invalid domain ${describe(domain)}: a domain slug has 1 to ${DOMAIN_MAX_LENGTH} letters, digits, '-' or '_', ` +
          `such as "business-continuity"`,
      });
    }
  });
  return domains.includes(UNKNOWN) ? domains : normalizeDomains(domains);
}

/** Reads checked inputs into their typed form. */
export function toInputs(checked: Record<string, unknown>): OrganizationInputs {
  return {
    slug: checked.slug as string,
    name: checked.name as string | undefined,
    allowedDomains: checked.allowedDomains as string[] | undefined,
    restoreOnDelete: checked.restoreOnDelete as boolean | undefined,
    waitForKbActive: checked.waitForKbActive as boolean | undefined,
    kbActiveTimeoutSeconds: checked.kbActiveTimeoutSeconds as number | undefined,
    quotaWarningPercent: checked.quotaWarningPercent as number | undefined,
  };
}
