import {
  EgretValidationError,
  type EgretError,
  type EgretClient,
  type Organization,
  type OrganizationUpdate,
} from "../../sdk";
import { normalizeDomains } from "./check";
import { toDetails } from "./lookup";
import { DEFAULT_QUOTA_WARNING_PERCENT, quotaUsage } from "./quota";
import {
  DEFAULT_KB_ACTIVE_TIMEOUT_SECONDS,
  KnowledgeBaseWaitError,
  waitForKbActive,
  type ReadinessOptions,
} from "./readiness";
import {
  MANAGED_FIELDS,
  type DiffResult,
  type ManagedField,
  type OrganizationInputs,
  type OrganizationOutputs,
} from "./types";

/**
 * The Organization resource, written once over the API client and served by both faces of the
 * provider (the dynamic resource and the plugin). An organization is adopted on create and
 * released on delete, because the API can neither create nor delete one.
 */

/** The values found when a field first became managed, so release can restore them. */
interface AdoptionRecord {
  adoptedName?: string;
  adoptedAllowedDomains?: string[];
}

function managedFieldsOf(inputs: OrganizationInputs): ManagedField[] {
  return MANAGED_FIELDS.filter((field) => inputs[field] !== undefined);
}

function sameDomains(left: readonly string[], right: readonly string[]): boolean {
  // During a preview a list not known yet arrives as the UNKNOWN string, and counts as changed.
  if (!Array.isArray(left) || !Array.isArray(right)) {
    return false;
  }
  const a = normalizeDomains(left);
  const b = normalizeDomains(right);
  return a.length === b.length && a.every((domain, index) => domain === b[index]);
}

/**
 * Returns the managed fields whose requested value differs from the organization's current one.
 * The plugin's update preview uses it too, so a preview and the update agree on what is sent.
 */
export function changedFields(inputs: OrganizationInputs, current: { name: string; allowedDomains: string[] }): OrganizationUpdate {
  const update: OrganizationUpdate = {};
  if (inputs.name !== undefined && inputs.name !== current.name) {
    update.name = inputs.name;
  }
  if (inputs.allowedDomains !== undefined && !sameDomains(inputs.allowedDomains, current.allowedDomains)) {
    update.allowedDomains = inputs.allowedDomains;
  }
  return update;
}

/** Adds the current value of each newly managed field to the adoption record; older entries stay. */
function recordAdoption(
  record: AdoptionRecord,
  managed: readonly ManagedField[],
  current: { name: string; allowedDomains: string[] },
): AdoptionRecord {
  const next: AdoptionRecord = { ...record };
  if (managed.includes("name") && next.adoptedName === undefined) {
    next.adoptedName = current.name;
  }
  if (managed.includes("allowedDomains") && next.adoptedAllowedDomains === undefined) {
    next.adoptedAllowedDomains = normalizeDomains(current.allowedDomains) as string[];
  }
  return next;
}

const SETTINGS_FIELDS = ["restoreOnDelete", "waitForKbActive", "kbActiveTimeoutSeconds", "quotaWarningPercent"] as const;

/** Returns the settings inputs with their defaults applied, as stored in state. None of them is sent to the API. */
function settingsOf(inputs: Pick<OrganizationInputs, (typeof SETTINGS_FIELDS)[number]>) {
  return {
    restoreOnDelete: inputs.restoreOnDelete ?? false,
    waitForKbActive: inputs.waitForKbActive ?? false,
    kbActiveTimeoutSeconds: inputs.kbActiveTimeoutSeconds ?? DEFAULT_KB_ACTIVE_TIMEOUT_SECONDS,
    quotaWarningPercent: inputs.quotaWarningPercent ?? DEFAULT_QUOTA_WARNING_PERCENT,
  };
}

/** Builds the outputs stored in state from the live organization. */
export function toOutputs(
  organization: Organization,
  inputs: OrganizationInputs,
  managedFields: ManagedField[],
  record: AdoptionRecord,
): OrganizationOutputs {
  const outputs: OrganizationOutputs = {
    ...toDetails(organization),
    ...settingsOf(inputs),
    managedFields,
  };
  if (record.adoptedName !== undefined) {
    outputs.adoptedName = record.adoptedName;
  }
  if (record.adoptedAllowedDomains !== undefined) {
    outputs.adoptedAllowedDomains = record.adoptedAllowedDomains;
  }
  return outputs;
}

function recordOf(outputs: Partial<OrganizationOutputs>): AdoptionRecord {
  return { adoptedName: outputs.adoptedName, adoptedAllowedDomains: outputs.adoptedAllowedDomains };
}

/** The error raised when adopting a slug that the key's user does not have. */
export class OrganizationNotFoundError extends Error {
  readonly code = "EGRET_NOT_FOUND";

  constructor(readonly slug: string, cause: EgretError) {
    super(
      `organization '${slug}' was not found with this API key: create it in the Egret dashboard ` +
        `(Organization > Create an Organization), or fix the slug, then run pulumi up again`,
      { cause },
    );
    this.name = "OrganizationNotFoundError";
  }
}

/**
 * An error raised after the organization was adopted but before its managed fields were set.
 * Pulumi records the resource with these outputs (`id`, `properties`) so the adoption record is
 * kept, and the next update tries again.
 */
export class OrganizationInitError extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: OrganizationOutputs,
    readonly reasons: string[],
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = "OrganizationInitError";
  }
}

/**
 * The error raised when delete with `restoreOnDelete` fails to put back the adopted values.
 * The cause is the client's error.
 */
export class OrganizationReleaseError extends Error {
  constructor(
    readonly slug: string,
    fields: readonly string[],
    cause: unknown,
  ) {
    super(
      `organization '${slug}' was not released: restoreOnDelete could not put back ${fields.join(" and ")}, ` +
        `because ${reasonOf(cause)}. To release it without restoring, set restoreOnDelete: false and run ` +
        `pulumi up, then destroy again. Or remove the resource from state with 'pulumi state delete <urn>'.`,
      { cause },
    );
    this.name = "OrganizationReleaseError";
  }
}

/**
 * Describes why a restore failed. A validation error is described by its field errors alone,
 * because the client's message ends with "Fix these values and run again". That cannot help
 * here, since the values come from the adoption record, not from the program.
 */
function reasonOf(error: unknown): string {
  if (error instanceof EgretValidationError) {
    const listed = Object.entries(error.fieldErrors).map(([field, messages]) => `${field}: ${messages.join(" ")}`);
    const rejected = listed.length > 0 ? listed.join(", ") : `the request: ${error.detail ?? "no detail"}`;
    return `the API rejected ${rejected.replace(/\.+$/, "")}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\.+$/, "");
}

function isNotFound(error: unknown): error is EgretError {
  return error instanceof Error && (error as { code?: unknown }).code === "EGRET_NOT_FOUND";
}

/**
 * With `waitForKbActive`, waits until the organization's knowledge base is active; then builds
 * the outputs. A failed, stopped, timed-out or cancelled wait raises OrganizationInitError carrying
 * the outputs, so Pulumi keeps the organization in state and the next update waits again.
 */
async function settle(
  client: EgretClient,
  organization: Organization,
  inputs: OrganizationInputs,
  managed: ManagedField[],
  record: AdoptionRecord,
  options: ReadinessOptions,
): Promise<OrganizationOutputs> {
  if (inputs.waitForKbActive !== true) {
    return toOutputs(organization, inputs, managed, record);
  }
  const timeoutSeconds = inputs.kbActiveTimeoutSeconds ?? DEFAULT_KB_ACTIVE_TIMEOUT_SECONDS;
  try {
    const active = await waitForKbActive(client, organization, timeoutSeconds, options);
    return toOutputs(active, inputs, managed, record);
  } catch (error) {
    const last = error instanceof KnowledgeBaseWaitError ? error.organization : organization;
    const message = error instanceof Error ? error.message : String(error);
    throw new OrganizationInitError(message, inputs.slug, toOutputs(last, inputs, managed, record), [message], error);
  }
}

/**
 * Adopts an existing organization: one GET, then one PATCH of the managed fields that differ,
 * or none when they already match. With `waitForKbActive`, then polls until the knowledge base
 * is active.
 */
export async function createOrganization(
  client: EgretClient,
  inputs: OrganizationInputs,
  options: ReadinessOptions = {},
): Promise<OrganizationOutputs> {
  let found: Organization;
  try {
    found = await client.getOrganization(inputs.slug);
  } catch (error) {
    throw isNotFound(error) ? new OrganizationNotFoundError(inputs.slug, error) : error;
  }

  const managed = managedFieldsOf(inputs);
  const record = recordAdoption({}, managed, found);
  const update = changedFields(inputs, found);
  if (Object.keys(update).length === 0) {
    return settle(client, found, inputs, managed, record, options);
  }

  let updated: Organization;
  try {
    updated = await client.updateOrganization(inputs.slug, update);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new OrganizationInitError(
      `organization '${inputs.slug}' was adopted, but setting ${Object.keys(update).join(" and ")} failed: ${message}`,
      inputs.slug,
      toOutputs(found, inputs, managed, record),
      [message],
      error,
    );
  }
  return settle(client, updated, inputs, managed, record, options);
}

/**
 * Refreshes an organization: one GET. Returns undefined only when the API returns 404; every
 * other failure raises. The returned inputs hold the live values of the managed fields, so
 * the refresh shows drift on them and nothing when only usage counters moved.
 */
export async function readOrganization(
  client: EgretClient,
  slug: string,
  state: Partial<OrganizationOutputs> | undefined,
): Promise<{ outputs: OrganizationOutputs; inputs: OrganizationInputs } | undefined> {
  let found: Organization;
  try {
    found = await client.getOrganization(slug);
  } catch (error) {
    if (isNotFound(error)) {
      return undefined;
    }
    throw error;
  }

  // Without state (an import by ID), every managed field is taken over at its live value.
  const managed = state?.managedFields ?? [...MANAGED_FIELDS];
  const liveDomains = normalizeDomains(found.allowedDomains) as string[];
  const inputs: OrganizationInputs = { slug: found.slug };
  if (managed.includes("name")) {
    inputs.name = found.name;
  }
  if (managed.includes("allowedDomains")) {
    inputs.allowedDomains = liveDomains;
  }
  // Settings come back only when they differ from their defaults, so the inputs of a refresh
  // look like the program that set them.
  const defaults = settingsOf({});
  if (state?.restoreOnDelete !== undefined && state.restoreOnDelete !== defaults.restoreOnDelete) {
    inputs.restoreOnDelete = state.restoreOnDelete;
  }
  if (state?.waitForKbActive !== undefined && state.waitForKbActive !== defaults.waitForKbActive) {
    inputs.waitForKbActive = state.waitForKbActive;
  }
  if (state?.kbActiveTimeoutSeconds !== undefined && state.kbActiveTimeoutSeconds !== defaults.kbActiveTimeoutSeconds) {
    inputs.kbActiveTimeoutSeconds = state.kbActiveTimeoutSeconds;
  }
  if (state?.quotaWarningPercent !== undefined && state.quotaWarningPercent !== defaults.quotaWarningPercent) {
    inputs.quotaWarningPercent = state.quotaWarningPercent;
  }

  const record = state === undefined ? recordAdoption({}, managed, found) : recordOf(state);
  return { outputs: toOutputs(found, inputs, managed, record), inputs };
}

/**
 * Compares the wanted inputs with the state. Only managed fields and the settings inputs count;
 * usage counters and quota outputs never do. A changed slug is a replacement. A field that the
 * program starts or stops setting is an update even when its value is unchanged, so that update
 * records the new managed fields, and refresh and delete stop reading or restoring a dropped one.
 */
export function diffOrganization(state: Partial<OrganizationOutputs>, inputs: OrganizationInputs): DiffResult {
  const replaces: string[] = [];
  const updates: string[] = [];
  if (state.slug !== undefined && inputs.slug !== state.slug) {
    replaces.push("slug");
  }

  const current = { name: state.name ?? "", allowedDomains: state.allowedDomains ?? [] };
  const update = changedFields(inputs, current);
  const wasManaged = state.managedFields ?? MANAGED_FIELDS;
  const managed = managedFieldsOf(inputs);
  for (const field of MANAGED_FIELDS) {
    if (update[field] !== undefined || wasManaged.includes(field) !== managed.includes(field)) {
      updates.push(field);
    }
  }
  const wanted = settingsOf(inputs);
  const stored = settingsOf(state);
  for (const field of SETTINGS_FIELDS) {
    if (wanted[field] !== stored[field]) {
      updates.push(field);
    }
  }
  return { changes: replaces.length + updates.length > 0, updates, replaces };
}

/**
 * Applies changed inputs with one PATCH carrying only the managed fields that differ from the
 * state, and returns what the API returned. Makes no request when no managed value changed (only
 * settings inputs, or which fields the program sets), unless `waitForKbActive` is set: then it
 * GETs the organization and waits as create does. That GET is made even when the state shows an
 * active knowledge base, because the stored status may be stale.
 */
export async function updateOrganization(
  client: EgretClient,
  state: OrganizationOutputs,
  inputs: OrganizationInputs,
  options: ReadinessOptions = {},
): Promise<OrganizationOutputs> {
  const managed = managedFieldsOf(inputs);
  const record = recordAdoption(recordOf(state), managed, state);
  const update = changedFields(inputs, state);
  if (Object.keys(update).length === 0) {
    if (inputs.waitForKbActive === true) {
      const fresh = await client.getOrganization(state.slug);
      return settle(client, fresh, inputs, managed, record, options);
    }
    const outputs: OrganizationOutputs = { ...state, ...settingsOf(inputs), ...quotaUsage(state), managedFields: managed };
    if (record.adoptedName !== undefined) {
      outputs.adoptedName = record.adoptedName;
    }
    if (record.adoptedAllowedDomains !== undefined) {
      outputs.adoptedAllowedDomains = record.adoptedAllowedDomains;
    }
    return outputs;
  }
  const updated = await client.updateOrganization(state.slug, update);
  return settle(client, updated, inputs, managed, record, options);
}

/**
 * Releases an organization. By default it makes no request and leaves the organization as it
 * is. With `restoreOnDelete`, one PATCH puts back the values recorded at adoption; an
 * organization that is gone (404) needs nothing restored. Any other failure raises
 * OrganizationReleaseError, whose message explains how to release the organization without restoring.
 */
export async function deleteOrganization(client: EgretClient, state: Partial<OrganizationOutputs>): Promise<void> {
  if (state.restoreOnDelete !== true || state.slug === undefined) {
    return;
  }
  // Only fields the program still manages are restored: a field it stopped managing was handed
  // back, and its adoption record stays in the outputs for reference.
  const managed = state.managedFields ?? [...MANAGED_FIELDS];
  const restore: OrganizationUpdate = {};
  if (managed.includes("name") && state.adoptedName !== undefined) {
    restore.name = state.adoptedName;
  }
  if (managed.includes("allowedDomains") && state.adoptedAllowedDomains !== undefined) {
    restore.allowedDomains = state.adoptedAllowedDomains;
  }
  if (Object.keys(restore).length === 0) {
    return;
  }
  try {
    await client.updateOrganization(state.slug, restore);
  } catch (error) {
    if (!isNotFound(error)) {
      throw new OrganizationReleaseError(state.slug, Object.keys(restore), error);
    }
  }
}
