import * as pulumi from "@pulumi/pulumi";
import type { EgretClient } from "../sdk";
import {
  lookupOrganization,
  lookupOrganizations,
  type OrganizationDetails,
  type OrganizationList,
} from "./organization/lookup";
import { createClient, resolveSettings, type ProviderSettings } from "./settings";

/**
 * Lookups of existing organizations, for Pulumi programs. They run in the program's process and
 * call the API directly, with the settings the Organization resource uses: stack config
 * `egret:apiKey`, `egret:apiUrl` and the tuning keys, falling back to `EGRET_API_KEY`,
 * `EGRET_API_URL` and the other environment variables. They only read: they never change an
 * organization and register no resource.
 */

/** Arguments of `getOrganization`. */
export interface GetOrganizationArgs {
  /** Slug of the organization, such as `egret-ai`. */
  slug: string;
}

/** Arguments of `getOrganizationOutput`: those of `getOrganization`, each of which may be an Output. */
export interface GetOrganizationOutputArgs {
  /** Slug of the organization, such as `egret-ai`. */
  slug: pulumi.Input<string>;
}

/** Result of `getOrganization`: the organization, with the Organization resource's output names. */
export type GetOrganizationResult = OrganizationDetails;

/** Result of `listOrganizations`: every organization the API key's user has. */
export type ListOrganizationsResult = OrganizationList;

let shared: { settings: ProviderSettings; client: EgretClient } | undefined;

function sameSettings(left: ProviderSettings, right: ProviderSettings): boolean {
  return (
    left.apiKey === right.apiKey &&
    left.apiUrl === right.apiUrl &&
    JSON.stringify(left.tuning) === JSON.stringify(right.tuning)
  );
}

/**
 * Returns a client built from the stack config (`egret:*`) and the environment. One client
 * serves every lookup of the program, so `egret:maxConcurrentRequests` caps them all together;
 * a new one is built only when the settings change. Its idle connections do not keep the
 * program's process alive.
 */
function stackClient(): EgretClient {
  const config = new pulumi.Config("egret");
  const settings = resolveSettings((key) => config.get(key.slice(key.indexOf(":") + 1)));
  if (shared === undefined || !sameSettings(shared.settings, settings)) {
    shared = { settings, client: createClient(settings) };
  }
  return shared.client;
}

/**
 * Fetches one existing organization by slug with one GET. Fails when the slug is invalid or the
 * API key's user has no organization with it.
 */
export function getOrganization(args: GetOrganizationArgs): Promise<GetOrganizationResult> {
  return Promise.resolve().then(() => lookupOrganization(stackClient(), args.slug));
}

/**
 * `getOrganization` for a slug that may be an Output, such as another resource's output. The
 * result is an Output that is unknown during a preview while the slug is unknown.
 */
export function getOrganizationOutput(args: GetOrganizationOutputArgs): pulumi.Output<GetOrganizationResult> {
  return pulumi.output(args.slug).apply((slug) => getOrganization({ slug }));
}

/** Lists every organization of the API key's user with one GET. */
export function listOrganizations(): Promise<ListOrganizationsResult> {
  return Promise.resolve().then(() => lookupOrganizations(stackClient()));
}

/** `listOrganizations` as an Output, to combine with other Outputs without `await`. */
export function listOrganizationsOutput(): pulumi.Output<ListOrganizationsResult> {
  return pulumi.output(listOrganizations());
}
