import * as pulumi from "@pulumi/pulumi";

/**
 * The provider object handed to `pulumi.dynamic.Resource`, serialized into state as
 * `__provider`. It contains no logic: each method requires the installed package by name and
 * delegates, which keeps the serialized text small and lets a fixed package fix old state.
 * The dynamic provider host runs in the program's directory, so the name resolves from the
 * program's node_modules.
 */
const providerStub: pulumi.dynamic.ResourceProvider = {
  async configure(request) {
    return require("@egret/pulumi/dynamic-handler").configure(request);
  },
  async check(olds, news) {
    return require("@egret/pulumi/dynamic-handler").check(olds, news);
  },
  async diff(id, olds, news) {
    return require("@egret/pulumi/dynamic-handler").diff(id, olds, news);
  },
  async create(inputs) {
    return require("@egret/pulumi/dynamic-handler").create(inputs);
  },
  async read(id, props) {
    return require("@egret/pulumi/dynamic-handler").read(id, props);
  },
  async update(id, olds, news) {
    return require("@egret/pulumi/dynamic-handler").update(id, olds, news);
  },
  async delete(id, props) {
    return require("@egret/pulumi/dynamic-handler").delete(id, props);
  },
};

/** Arguments of an Organization. */
export interface OrganizationArgs {
  /**
   * Slug of an existing organization, as shown in the Egret dashboard, such as `egret-ai`.
   * The organization must already exist: it is adopted, not created. Changing the slug replaces
   * the resource: the new organization is adopted and the old one released.
   */
  slug: pulumi.Input<string>;
  /**
   * Display name of the organization. Left out, the name is not managed: it is never sent and
   * never diffed.
   */
  name?: pulumi.Input<string>;
  /**
   * Domain slugs that the organization's API keys may query, such as `business-continuity`.
   * Order and duplicates carry no meaning. `[]` is managed and allows every domain; left out,
   * the setting is not managed.
   */
  allowedDomains?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Whether deleting the resource puts back the values of the managed fields found when they
   * were adopted. Default: false, and the organization is left as it is.
   */
  restoreOnDelete?: pulumi.Input<boolean>;
  /**
   * Whether create and update wait until the organization's knowledge base is `active` (ready
   * for uploads and queries), polling with GET at growing intervals from 2 s up to 30 s. An
   * update that sends no PATCH still makes 1 GET, because the stored status may be stale.
   * Waiting longer than `kbActiveTimeoutSeconds` fails the operation with the last status seen,
   * and a `failed` or `suspended` status fails it at once. Pulumi keeps the organization in
   * state and the next `pulumi up` waits again. Default: false, and no status check is made.
   */
  waitForKbActive?: pulumi.Input<boolean>;
  /**
   * Maximum wait for an active knowledge base, in seconds, from 1 to 3600. Used only with
   * `waitForKbActive: true`. With the plugin (`egret:index:Organization`), the create and update
   * `customTimeouts` of the resource also cap the wait; the dynamic resource receives no such
   * timeout. Default: 300.
   */
  kbActiveTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Share of a plan limit (documents, storage or members), in percent, at or above which
   * create, update and refresh show a warning naming the organization and each limit. Compared
   * with the `...UsedPercent` outputs; greater than 0 and at most 100. Default: 90.
   */
  quotaWarningPercent?: pulumi.Input<number>;
}

/**
 * An existing Egret organization, adopted by slug. Create adopts it and sets the managed
 * fields (`name`, `allowedDomains`). Delete releases it without deleting anything, because
 * organizations are created and deleted only in the Egret dashboard.
 */
export class Organization extends pulumi.dynamic.Resource {
  /** Slug of the organization; also the resource ID. */
  declare readonly slug: pulumi.Output<string>;
  /** Display name, as the API last returned it. */
  declare readonly name: pulumi.Output<string>;
  /** Domain slugs the organization's API keys may query, sorted; empty means every domain. */
  declare readonly allowedDomains: pulumi.Output<string[]>;
  /** Whether delete restores the values found at adoption. */
  declare readonly restoreOnDelete: pulumi.Output<boolean>;
  /** Stable UUID of the organization. */
  declare readonly organizationId: pulumi.Output<string>;
  /** Email of the organization's owner. */
  declare readonly ownerEmail: pulumi.Output<string>;
  /** Storage prefix of the organization's documents, such as `orgs/egret-ai/`. */
  declare readonly s3Prefix: pulumi.Output<string>;
  /** Plan limit on private documents. */
  declare readonly maxDocuments: pulumi.Output<number>;
  /** Plan limit on storage, in bytes. */
  declare readonly maxStorageBytes: pulumi.Output<number>;
  /** Plan limit on storage, in MB. */
  declare readonly maxStorageMb: pulumi.Output<number>;
  /** Plan limit on team members. */
  declare readonly maxMembers: pulumi.Output<number>;
  /** Documents uploaded, as of the last create, update or refresh. */
  declare readonly documentCount: pulumi.Output<number>;
  /** Storage used in bytes, as of the last create, update or refresh. */
  declare readonly storageUsedBytes: pulumi.Output<number>;
  /** Storage used in MB (2 decimals), as of the last create, update or refresh. */
  declare readonly storageUsedMb: pulumi.Output<number>;
  /** Team members, as of the last create, update or refresh. */
  declare readonly memberCount: pulumi.Output<number>;
  /**
   * Documents uploaded as a percentage of `maxDocuments`, from 0 to 100, rounded down to one
   * decimal place, so 100 means the limit is reached; usage above a limit also reports 100.
   */
  declare readonly documentsUsedPercent: pulumi.Output<number>;
  /** Storage used as a percentage of `maxStorageBytes`, from 0 to 100, rounded as `documentsUsedPercent`. */
  declare readonly storageUsedPercent: pulumi.Output<number>;
  /** Team members as a percentage of `maxMembers`, from 0 to 100, rounded as `documentsUsedPercent`. */
  declare readonly membersUsedPercent: pulumi.Output<number>;
  /** Knowledge-base status: `active` when it accepts uploads and queries. */
  declare readonly kbStatus: pulumi.Output<string>;
  /** Whether the organization is active. */
  declare readonly isActive: pulumi.Output<boolean>;
  /** Creation time, ISO 8601. */
  declare readonly createdAt: pulumi.Output<string>;
  /** Time of the last change, ISO 8601. */
  declare readonly updatedAt: pulumi.Output<string>;
  /** Fields this resource manages: those set in the program. */
  declare readonly managedFields: pulumi.Output<string[]>;
  /** Whether create and update wait for an active knowledge base. */
  declare readonly waitForKbActive: pulumi.Output<boolean>;
  /** Maximum wait for an active knowledge base, in seconds. */
  declare readonly kbActiveTimeoutSeconds: pulumi.Output<number>;
  /** Share of a plan limit, in percent, at or above which a warning is shown. */
  declare readonly quotaWarningPercent: pulumi.Output<number>;
  /** Name found when the name was first managed; restored on delete with `restoreOnDelete`. */
  declare readonly adoptedName: pulumi.Output<string | undefined>;
  /** Allowed domains found when they were first managed; restored on delete with `restoreOnDelete`. */
  declare readonly adoptedAllowedDomains: pulumi.Output<string[] | undefined>;

  constructor(name: string, args: OrganizationArgs, opts?: pulumi.CustomResourceOptions) {
    super(providerStub, name, { ...OUTPUT_PLACEHOLDERS, ...args }, opts, "egret", "Organization");
  }
}

/** Output-only properties, listed so the engine fills them in on the resource object. */
const OUTPUT_PLACEHOLDERS = {
  name: undefined,
  allowedDomains: undefined,
  restoreOnDelete: undefined,
  organizationId: undefined,
  ownerEmail: undefined,
  s3Prefix: undefined,
  maxDocuments: undefined,
  maxStorageBytes: undefined,
  maxStorageMb: undefined,
  maxMembers: undefined,
  documentCount: undefined,
  storageUsedBytes: undefined,
  storageUsedMb: undefined,
  memberCount: undefined,
  documentsUsedPercent: undefined,
  storageUsedPercent: undefined,
  membersUsedPercent: undefined,
  kbStatus: undefined,
  isActive: undefined,
  createdAt: undefined,
  updatedAt: undefined,
  managedFields: undefined,
  waitForKbActive: undefined,
  kbActiveTimeoutSeconds: undefined,
  quotaWarningPercent: undefined,
  adoptedName: undefined,
  adoptedAllowedDomains: undefined,
};
