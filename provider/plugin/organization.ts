import type { EgretClient } from "../../sdk";
import { checkOrganization, normalizeDomains, toInputs } from "../organization/check";
import {
  changedFields,
  OrganizationInitError,
  createOrganization,
  deleteOrganization,
  diffOrganization,
  readOrganization,
  updateOrganization,
} from "../organization/logic";
import { KB_ACTIVE, type ReadinessOptions } from "../organization/readiness";
import { MANAGED_FIELDS, type CheckFailure, type OrganizationInputs, type OrganizationOutputs } from "../organization/types";
import { ORGANIZATION, tokenOf } from "../schema";
import { UNKNOWN, concealProperties, revealProperties, type Properties } from "./values";

/**
 * The Organization as the plugin serves it: each gRPC operation reveals secrets, calls the
 * Organization logic in provider/organization/, and marks the results secret where the request
 * had secrets (see secretOutputs). Nothing here decides how an organization behaves.
 */

export const ORGANIZATION_TOKEN = tokenOf("Organization");

/**
 * A create or update that changed the organization and then failed. The engine records the
 * resource with `properties`, so the adoption record is kept and the next update tries again.
 */
export class ResourceInitFailure extends Error {
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Properties,
    readonly reasons: string[],
    readonly inputs: Properties,
    cause: unknown,
  ) {
    super(message, { cause });
    this.name = "ResourceInitFailure";
  }
}

/** Raises a logic's OrganizationInitError again with its outputs marked secret as the request's were. */
function rethrowInitError(error: unknown, inputs: Properties, secretNames: ReadonlySet<string>): never {
  if (error instanceof OrganizationInitError) {
    throw new ResourceInitFailure(
      error.message,
      error.id,
      concealProperties({ ...error.properties }, secretNames),
      error.reasons,
      concealProperties(inputs, secretNames),
      error,
    );
  }
  throw error;
}

/** Outputs that keep an earlier value of an input: the adoption record of each managed field. */
const RECORDED_AS: Record<string, string> = { name: "adoptedName", allowedDomains: "adoptedAllowedDomains" };

/**
 * Names the outputs to mark secret: `secretNames`, and the adoption record of each field named
 * there or in `earlierSecretNames` (secret in an earlier state). The engine copies secret marks
 * from inputs to outputs only for providers that take no secrets, and this one takes them, so
 * every mark is set here, including those of the outputs that keep an input's earlier value.
 */
function secretOutputs(secretNames: Iterable<string>, earlierSecretNames: Iterable<string> = []): Set<string> {
  const names = new Set(secretNames);
  const earlier = new Set(earlierSecretNames);
  for (const [field, record] of Object.entries(RECORDED_AS)) {
    if (names.has(field) || earlier.has(field)) {
      names.add(record);
    }
  }
  return names;
}

/** Result of a diff, with the properties that need an update and those that force a replacement. */
export interface OrganizationDiff {
  changes: boolean;
  updates: string[];
  replaces: string[];
  /**
   * Managed fields among `updates` that the program starts setting (`add`) or stops setting
   * (`delete`). Every other update changes a value.
   */
  kinds?: Record<string, "add" | "delete">;
}

export function check(news: Properties): { inputs: Properties; failures: CheckFailure[] } {
  const { values, secretNames } = revealProperties(news);
  const { inputs, failures } = checkOrganization(values);
  return { inputs: concealProperties(inputs, secretNames), failures };
}

/**
 * Compares new inputs with the state. An unknown input counts as changed, because the logic
 * compares the unknown marker like any other value, so an unknown slug forces a replacement.
 */
export function diff(state: Properties, news: Properties): OrganizationDiff {
  const stored = revealProperties(state).values as Partial<OrganizationOutputs>;
  const inputs = toInputs(revealProperties(news).values);
  const result = diffOrganization(stored, inputs);

  // State written before managedFields existed counts every field as managed, as the logic does.
  const wasManaged = stored.managedFields ?? MANAGED_FIELDS;
  const kinds: Record<string, "add" | "delete"> = {};
  for (const field of MANAGED_FIELDS) {
    const managed = inputs[field] !== undefined;
    if (result.updates.includes(field) && managed !== wasManaged.includes(field)) {
      kinds[field] = managed ? "add" : "delete";
    }
  }
  return { ...result, kinds };
}

/**
 * Outputs of a create during a preview, made without a request: each input as given, or its
 * schema default, and every other output unknown.
 */
function previewCreate(inputs: Properties): Properties {
  const outputs: Properties = {};
  for (const [name, property] of Object.entries(ORGANIZATION.properties)) {
    outputs[name] = inputs[name] ?? property.input?.default ?? UNKNOWN;
  }
  return outputs;
}

/**
 * Outputs of an update during a preview, made without a request, as updateOrganization returns
 * them. The changed managed fields, `managedFields`, the adoption record and the settings inputs
 * follow the new inputs. `updatedAt` is unknown when the update sends a PATCH, and `kbStatus` is
 * `active` when the update waits for it. Every other output keeps its value in the state.
 */
function previewUpdate(state: Properties, inputs: Properties): Properties {
  const outputs: Properties = { ...state };
  const managed = MANAGED_FIELDS.filter((field) => inputs[field] !== undefined);
  const update = changedFields(inputs as unknown as OrganizationInputs, {
    name: state.name as string,
    allowedDomains: state.allowedDomains as string[],
  });
  let patched = false;
  for (const field of managed) {
    // A field that becomes managed records the value it had, for restoreOnDelete.
    const record = RECORDED_AS[field];
    if (outputs[record] === undefined) {
      const current = state[field];
      outputs[record] = Array.isArray(current) ? normalizeDomains(current) : current;
    }
    if (update[field] !== undefined) {
      outputs[field] = inputs[field];
      patched = true;
    }
  }
  outputs.managedFields = managed;

  for (const [name, property] of Object.entries(ORGANIZATION.properties)) {
    if (property.input === undefined || (MANAGED_FIELDS as readonly string[]).includes(name)) {
      continue;
    }
    const value = inputs[name] ?? property.input.default;
    if (value !== undefined) {
      outputs[name] = value;
    }
  }

  if (patched) {
    outputs.updatedAt = UNKNOWN;
  }
  // A successful wait ends with an active knowledge base. While waitForKbActive is unknown, so
  // is whether the update waits.
  const mayWait = inputs.waitForKbActive === true || inputs.waitForKbActive === UNKNOWN;
  if (mayWait && (patched || state.kbStatus !== KB_ACTIVE)) {
    outputs.kbStatus = inputs.waitForKbActive === true ? KB_ACTIVE : UNKNOWN;
  }
  return outputs;
}

/**
 * Adopts the organization; with `preview`, returns the expected outputs and makes no request.
 * `options` carry the Cancel signal and the operation timeout to the readiness wait.
 */
export async function create(
  client: () => EgretClient,
  properties: Properties,
  preview: boolean,
  options: ReadinessOptions = {},
): Promise<{ id: string; properties: Properties }> {
  const { values, secretNames: secretInputs } = revealProperties(properties);
  const secretNames = secretOutputs(secretInputs);
  if (preview) {
    return { id: "", properties: concealProperties(previewCreate(values), secretNames) };
  }
  const outputs = await createOrganization(client(), toInputs(values), options).catch((error: unknown) =>
    rethrowInitError(error, values, secretNames),
  );
  return { id: outputs.slug, properties: concealProperties({ ...outputs }, secretNames) };
}

/**
 * Refreshes the organization, or imports it when the request carries only an ID: then every
 * managed field is taken over at its live value, and the returned inputs are what a program
 * must set to show no diff. Returns an empty ID when the organization is gone.
 */
export async function read(
  client: () => EgretClient,
  id: string,
  properties: Properties,
  inputs: Properties,
): Promise<{ id: string; properties: Properties; inputs?: Properties }> {
  const state = revealProperties(properties);
  const stateValues = state.values as Partial<OrganizationOutputs>;
  const imported = Object.keys(stateValues).length === 0;

  const result = await readOrganization(client(), stateValues.slug ?? id, imported ? undefined : stateValues);
  if (result === undefined) {
    return { id: "", properties: {} };
  }

  // A refresh changes no input, so a property secret in the state or in the inputs stays secret
  // in both results.
  const secretNames = secretOutputs([...state.secretNames, ...revealProperties(inputs).secretNames]);
  return {
    id,
    properties: concealProperties({ ...result.outputs }, secretNames),
    inputs: concealProperties({ ...result.inputs }, secretNames),
  };
}

/**
 * Applies changed inputs; with `preview`, returns the expected outputs and makes no request.
 * `options` carry the Cancel signal and the operation timeout to the readiness wait.
 */
export async function update(
  client: () => EgretClient,
  olds: Properties,
  news: Properties,
  preview: boolean,
  options: ReadinessOptions = {},
): Promise<Properties> {
  const old = revealProperties(olds);
  const state = old.values;
  const { values, secretNames: secretInputs } = revealProperties(news);
  // An output that the new inputs leave out keeps its old value, and so its old secret mark.
  const kept = [...old.secretNames].filter((name) => values[name] === undefined);
  const secretNames = secretOutputs([...secretInputs, ...kept], old.secretNames);
  if (preview) {
    return concealProperties(previewUpdate(state, values), secretNames);
  }
  const outputs = await updateOrganization(client(), state as unknown as OrganizationOutputs, toInputs(values), options).catch(
    (error: unknown) => rethrowInitError(error, values, secretNames),
  );
  return concealProperties({ ...outputs }, secretNames);
}

/** Releases the organization, restoring the adopted values with `restoreOnDelete`. */
export async function remove(client: () => EgretClient, properties: Properties): Promise<void> {
  await deleteOrganization(client(), revealProperties(properties).values as Partial<OrganizationOutputs>);
}
