import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DEFAULTS, DEFAULT_API_URL, type EgretClient } from "../sdk";
import { lookupOrganization, lookupOrganizations, type OrganizationDetails } from "./organization/lookup";
import type { OrganizationOutputs } from "./organization/types";
import { SETTINGS } from "./settings";

/**
 * The Pulumi package schema of the `egret` plugin, written once as the tables below. GetSchema
 * serves `buildSchema()`, and the plugin derives its preview outputs and its invokes from the
 * same tables. Adding a property is one entry in a table; adding an invoke is one entry in
 * FUNCTIONS. The TypeScript faces (OrganizationArgs, the Organization class and
 * OrganizationOutputs) are checked against these tables by test/schema.test.ts, and
 * ORGANIZATION_PROPERTIES does not compile unless it has exactly the keys of OrganizationOutputs.
 */

export const PACKAGE_NAME = "egret";

/** Scalar types of the schema. */
export type ScalarType = "string" | "integer" | "number" | "boolean";

/** An object type declared in OBJECT_TYPES, by its name (`Organization` for `egret:index:Organization`). */
export interface ObjectTypeRef {
  object: string;
}

/** Type of a property: a scalar, an object type, or a list of either. */
export type PropertyType = ScalarType | ObjectTypeRef | { arrayOf: ScalarType | ObjectTypeRef };

/** One property of a config, an object type or a function's inputs or outputs. */
export interface FieldSpec {
  type: PropertyType;
  description: string;
  /** Whether the property may be absent. Default: false, the property is required. */
  optional?: boolean;
  /** Whether Pulumi keeps the value encrypted and masks it in output. */
  secret?: boolean;
}

/** One property of a resource: its output, and its input when programs set it. */
export interface ResourcePropertySpec extends FieldSpec {
  /** Present when programs set the property; `description` here is the input's description. */
  input?: {
    description: string;
    /** Whether programs must set it. Default: false. */
    required?: boolean;
    /** Value the generated SDKs send when the program leaves the input out. */
    default?: string | number | boolean;
    /** Whether a change to the input replaces the resource. */
    replaceOnChanges?: boolean;
  };
}

/** A resource: its description and its properties. */
export interface ResourceSpec {
  description: string;
  properties: Record<string, ResourcePropertySpec>;
}

/** An invoke: its schema and the code that runs it with the provider's client. */
export interface FunctionSpec {
  description: string;
  inputs: Record<string, FieldSpec>;
  outputs: Record<string, FieldSpec>;
  /** Runs the function; `args` contains the checked inputs, and the result must match `outputs`. */
  invoke(client: EgretClient, args: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** An object type used by properties, such as the items of a list output. */
export interface ObjectTypeSpec {
  description: string;
  properties: Record<string, FieldSpec>;
}

/** Everything the schema is built from. */
export interface PackageSource {
  name: string;
  version: string;
  config: Record<string, FieldSpec>;
  resources: Record<string, ResourceSpec>;
  functions: Record<string, FunctionSpec>;
  types: Record<string, ObjectTypeSpec>;
}

/**
 * Properties of the Organization. The descriptions are the JSDoc of OrganizationArgs (input
 * descriptions) and of the Organization class (output descriptions) in provider/dynamic/organization.ts.
 */
const ORGANIZATION_PROPERTIES = {
  slug: {
    type: "string",
    description: "Slug of the organization; also the resource ID.",
    input: {
      required: true,
      replaceOnChanges: true,
      description:
        "Slug of an existing organization, as shown in the Egret dashboard, such as `egret-ai`. " +
        "The organization must already exist: it is adopted, not created. Changing the slug replaces " +
        "the resource: the new organization is adopted and the old one released.",
    },
  },
  name: {
    type: "string",
    description: "Display name, as the API last returned it.",
    input: {
      description:
        "Display name of the organization. Left out, the name is not managed: it is never sent and never diffed.",
    },
  },
  allowedDomains: {
    type: { arrayOf: "string" },
    description: "Domain slugs the organization's API keys may query, sorted; empty means every domain.",
    input: {
      description:
        "Domain slugs that the organization's API keys may query, such as `business-continuity`. " +
        "Order and duplicates carry no meaning. `[]` is managed and allows every domain; left out, " +
        "the setting is not managed.",
    },
  },
  restoreOnDelete: {
    type: "boolean",
    description: "Whether delete restores the values found at adoption.",
    input: {
      default: false,
      description:
        "Whether deleting the resource puts back the values of the managed fields found when they " +
        "were adopted. Default: false, and the organization is left as it is.",
    },
  },
  organizationId: { type: "string", description: "Stable UUID of the organization." },
  ownerEmail: { type: "string", description: "Email of the organization's owner." },
  s3Prefix: { type: "string", description: "Storage prefix of the organization's documents, such as `orgs/egret-ai/`." },
  maxDocuments: { type: "integer", description: "Plan limit on private documents." },
  maxStorageBytes: { type: "number", description: "Plan limit on storage, in bytes." },
  maxStorageMb: { type: "number", description: "Plan limit on storage, in MB." },
  maxMembers: { type: "integer", description: "Plan limit on team members." },
  documentCount: { type: "integer", description: "Documents uploaded, as of the last create, update or refresh." },
  storageUsedBytes: { type: "number", description: "Storage used in bytes, as of the last create, update or refresh." },
  storageUsedMb: { type: "number", description: "Storage used in MB (2 decimals), as of the last create, update or refresh." },
  memberCount: { type: "integer", description: "Team members, as of the last create, update or refresh." },
  documentsUsedPercent: {
    type: "number",
    description:
      "Documents uploaded as a percentage of `maxDocuments`, from 0 to 100, rounded down to one decimal place, " +
      "so 100 means the limit is reached; usage above a limit also reports 100.",
  },
  storageUsedPercent: {
    type: "number",
    description: "Storage used as a percentage of `maxStorageBytes`, from 0 to 100, rounded as `documentsUsedPercent`.",
  },
  membersUsedPercent: {
    type: "number",
    description: "Team members as a percentage of `maxMembers`, from 0 to 100, rounded as `documentsUsedPercent`.",
  },
  kbStatus: { type: "string", description: "Knowledge-base status: `active` when it accepts uploads and queries." },
  isActive: { type: "boolean", description: "Whether the organization is active." },
  createdAt: { type: "string", description: "Creation time, ISO 8601." },
  updatedAt: { type: "string", description: "Time of the last change, ISO 8601." },
  managedFields: { type: { arrayOf: "string" }, description: "Fields this resource manages: those set in the program." },
  waitForKbActive: {
    type: "boolean",
    description: "Whether create and update wait for an active knowledge base.",
    input: {
      default: false,
      description:
        "Whether create and update wait until the organization's knowledge base is `active` (ready " +
        "for uploads and queries), polling with GET at growing intervals from 2 s up to 30 s. An " +
        "update that sends no PATCH still makes 1 GET, because the stored status may be stale. " +
        "Waiting longer than `kbActiveTimeoutSeconds` fails the operation with the last status seen, " +
        "and a `failed` or `suspended` status fails it at once. Pulumi keeps the organization in " +
        "state and the next `pulumi up` waits again. Default: false, and no status check is made.",
    },
  },
  kbActiveTimeoutSeconds: {
    type: "integer",
    description: "Maximum wait for an active knowledge base, in seconds.",
    input: {
      default: 300,
      description:
        "Maximum wait for an active knowledge base, in seconds, from 1 to 3600. Used only with " +
        "`waitForKbActive: true`. With the plugin (`egret:index:Organization`), the create and update " +
        "`customTimeouts` of the resource also cap the wait; the dynamic resource receives no such " +
        "timeout. Default: 300.",
    },
  },
  quotaWarningPercent: {
    type: "number",
    description: "Share of a plan limit, in percent, at or above which a warning is shown.",
    input: {
      default: 90,
      description:
        "Share of a plan limit (documents, storage or members), in percent, at or above which " +
        "create, update and refresh show a warning naming the organization and each limit. Compared " +
        "with the `...UsedPercent` outputs; greater than 0 and at most 100. Default: 90.",
    },
  },
  adoptedName: {
    type: "string",
    optional: true,
    description: "Name found when the name was first managed; restored on delete with `restoreOnDelete`.",
  },
  adoptedAllowedDomains: {
    type: { arrayOf: "string" },
    optional: true,
    description: "Allowed domains found when they were first managed; restored on delete with `restoreOnDelete`.",
  },
} satisfies Record<keyof OrganizationOutputs, ResourcePropertySpec>;

/** The Organization resource, served as `egret:index:Organization`. */
export const ORGANIZATION: ResourceSpec = {
  description:
    "An existing Egret organization, adopted by slug. Create adopts it and sets the managed fields " +
    "(`name`, `allowedDomains`). Delete releases it without deleting anything, because organizations " +
    "are created and deleted only in the Egret dashboard.",
  properties: ORGANIZATION_PROPERTIES,
};

/** Type and meaning of each setting of provider/settings.ts; `configDescription` adds the environment variable and default. */
const SETTING_DESCRIPTIONS: Record<keyof typeof SETTINGS, { type: ScalarType; description: string; secret?: boolean; default?: string | number }> = {
  apiKey: {
    type: "string",
    secret: true,
    description:
      "Egret API key, such as `egret_...`. Set it with `pulumi config set --secret egret:apiKey <key>`. " +
      "Never written to an Organization's inputs or outputs, nor to logs.",
  },
  apiUrl: {
    type: "string",
    default: DEFAULT_API_URL,
    description: "Address of the Egret API. Must be https, except for loopback hosts such as the emulator.",
  },
  maxAttempts: { type: "integer", default: DEFAULTS.maxAttempts, description: "Attempts per request, the first included." },
  retryBaseDelayMs: {
    type: "integer",
    default: DEFAULTS.retryBaseDelayMs,
    description: "First backoff wait in milliseconds, doubled on each retry.",
  },
  retryMaxDelayMs: {
    type: "integer",
    default: DEFAULTS.retryMaxDelayMs,
    description: "Cap in milliseconds on a backoff wait and on an honoured `Retry-After`.",
  },
  attemptTimeoutMs: { type: "integer", default: DEFAULTS.attemptTimeoutMs, description: "Limit on one attempt, in milliseconds." },
  deadlineMs: {
    type: "integer",
    default: DEFAULTS.deadlineMs,
    description: "Limit on one request in milliseconds, retries and waits included.",
  },
  maxConcurrentRequests: {
    type: "integer",
    default: DEFAULTS.maxConcurrentRequests,
    description: "Requests in flight at once per provider process.",
  },
};

function configDescription(key: keyof typeof SETTINGS): string {
  const { description, default: fallback } = SETTING_DESCRIPTIONS[key];
  const sources = `Falls back to the \`${SETTINGS[key].env}\` environment variable`;
  return fallback === undefined ? `${description} ${sources}.` : `${description} ${sources}; default \`${fallback}\`.`;
}

/** Provider configuration (`egret:<name>`), one entry per setting of provider/settings.ts. */
export const CONFIG: Record<string, FieldSpec> = Object.fromEntries(
  (Object.keys(SETTINGS) as (keyof typeof SETTINGS)[]).map((key) => {
    const { type, secret } = SETTING_DESCRIPTIONS[key];
    const spec: FieldSpec = { type, optional: true, description: configDescription(key) };
    if (secret) {
      spec.secret = true;
    }
    return [key, spec];
  }),
);

/**
 * Fields of an organization as the lookups return it. The descriptions are the JSDoc of
 * OrganizationDetails in provider/organization/lookup.ts; the names are the Organization's outputs.
 */
const ORGANIZATION_DETAILS_FIELDS = {
  slug: { type: "string", description: "URL-safe identifier used in API paths." },
  name: { type: "string", description: "Display name." },
  allowedDomains: {
    type: { arrayOf: "string" },
    description: "Domain slugs that the organization's API keys may query, sorted; empty means every domain.",
  },
  organizationId: { type: "string", description: "Stable UUID of the organization." },
  ownerEmail: { type: "string", description: "Email of the organization's owner." },
  s3Prefix: { type: "string", description: "Storage prefix of the organization's documents, such as `orgs/egret-ai/`." },
  maxDocuments: { type: "integer", description: "Plan limit on private documents." },
  maxStorageBytes: { type: "number", description: "Plan limit on storage, in bytes." },
  maxStorageMb: { type: "number", description: "Plan limit on storage, in MB." },
  maxMembers: { type: "integer", description: "Plan limit on team members." },
  documentCount: { type: "integer", description: "Documents uploaded." },
  storageUsedBytes: { type: "number", description: "Storage used, in bytes." },
  storageUsedMb: { type: "number", description: "Storage used, in MB rounded to 2 decimals." },
  memberCount: { type: "integer", description: "Team members." },
  documentsUsedPercent: {
    type: "number",
    description: "Documents uploaded as a percentage of `maxDocuments`, 0 to 100, rounded down to one decimal place.",
  },
  storageUsedPercent: {
    type: "number",
    description: "Storage used as a percentage of `maxStorageBytes`, 0 to 100, rounded down to one decimal place.",
  },
  membersUsedPercent: {
    type: "number",
    description: "Team members as a percentage of `maxMembers`, 0 to 100, rounded down to one decimal place.",
  },
  kbStatus: { type: "string", description: "Knowledge-base status: `active` when it accepts uploads and queries." },
  isActive: { type: "boolean", description: "Whether the organization is active." },
  createdAt: { type: "string", description: "Creation time, ISO 8601." },
  updatedAt: { type: "string", description: "Time of the last change, ISO 8601." },
} satisfies Record<keyof OrganizationDetails, FieldSpec>;

/**
 * Invokes served as `egret:index:<name>`; an unknown token gets UNIMPLEMENTED. They read with
 * the provider's configured client and change nothing.
 */
export const FUNCTIONS: Record<string, FunctionSpec> = {
  getOrganization: {
    description:
      "Fetches one existing organization by slug, with the same field names as the Organization's outputs. " +
      "Fails when the slug is invalid or the API key's user has no organization with it.",
    inputs: {
      slug: { type: "string", description: "Slug of the organization, such as `egret-ai`." },
    },
    outputs: ORGANIZATION_DETAILS_FIELDS,
    invoke: async (client, args) => ({ ...(await lookupOrganization(client, args.slug)) }),
  },
  listOrganizations: {
    description: "Lists every organization of the API key's user, in the order the API returns them.",
    inputs: {},
    outputs: {
      organizations: {
        type: { arrayOf: { object: "OrganizationDetails" } },
        description: "The organizations, with the same field names as the Organization's outputs.",
      },
    },
    invoke: async (client) => ({ ...(await lookupOrganizations(client)) }),
  },
};

/** Object types served as `egret:index:<name>`, referenced from properties as `{ object: name }`. */
export const OBJECT_TYPES: Record<string, ObjectTypeSpec> = {
  OrganizationDetails: {
    description: "An existing organization, as the lookups return it.",
    properties: ORGANIZATION_DETAILS_FIELDS,
  },
};

/** Reads the version from this package's package.json, found by walking up from this file. */
function readPackageVersion(): string {
  let directory = __dirname;
  for (;;) {
    const candidate = join(directory, "package.json");
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, "utf8")) as { name?: string; version?: string };
      if (manifest.name === "@egret/pulumi" && typeof manifest.version === "string") {
        return manifest.version;
      }
    }
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error(`package.json of @egret/pulumi was not found above ${__dirname}`);
    }
    directory = parent;
  }
}

export const PACKAGE_VERSION = readPackageVersion();

/** The tables of this package. */
export const PACKAGE: PackageSource = {
  name: PACKAGE_NAME,
  version: PACKAGE_VERSION,
  config: CONFIG,
  resources: { Organization: ORGANIZATION },
  functions: FUNCTIONS,
  types: OBJECT_TYPES,
};

/** Token of a resource, function or object type of this package, such as `egret:index:Organization`. */
export function tokenOf(name: string, packageName = PACKAGE_NAME): string {
  return `${packageName}:index:${name}`;
}

type JsonObject = Record<string, unknown>;

function typeSpec(type: PropertyType, packageName: string): JsonObject {
  if (typeof type === "string") {
    return { type };
  }
  if ("object" in type) {
    return { $ref: `#/types/${tokenOf(type.object, packageName)}` };
  }
  return { type: "array", items: typeSpec(type.arrayOf, packageName) };
}

function fieldSpec(field: FieldSpec, description: string, packageName: string): JsonObject {
  const spec: JsonObject = { ...typeSpec(field.type, packageName), description };
  if (field.secret) {
    spec.secret = true;
  }
  return spec;
}

function fieldsSpec(fields: Record<string, FieldSpec>, packageName: string): { properties: JsonObject; required: string[] } {
  const properties: JsonObject = {};
  for (const [name, field] of Object.entries(fields)) {
    properties[name] = fieldSpec(field, field.description, packageName);
  }
  const required = Object.keys(fields).filter((name) => !fields[name].optional);
  return { properties, required };
}

function resourceSpec(resource: ResourceSpec, packageName: string): JsonObject {
  const outputs = fieldsSpec(resource.properties, packageName);
  const inputProperties: JsonObject = {};
  const requiredInputs: string[] = [];
  for (const [name, property] of Object.entries(resource.properties)) {
    if (property.input === undefined) {
      continue;
    }
    const spec = fieldSpec(property, property.input.description, packageName);
    if (property.input.default !== undefined) {
      spec.default = property.input.default;
    }
    if (property.input.replaceOnChanges) {
      spec.willReplaceOnChanges = true;
    }
    inputProperties[name] = spec;
    if (property.input.required) {
      requiredInputs.push(name);
    }
  }
  return {
    description: resource.description,
    properties: outputs.properties,
    required: outputs.required,
    inputProperties,
    requiredInputs,
  };
}

/** Builds the Pulumi package schema (the JSON that GetSchema returns) from the tables. */
export function buildSchema(source: PackageSource = PACKAGE): JsonObject {
  const packageName = source.name;
  const config = fieldsSpec(source.config, packageName);

  const resources: JsonObject = {};
  for (const [name, resource] of Object.entries(source.resources)) {
    resources[tokenOf(name, packageName)] = resourceSpec(resource, packageName);
  }

  const functions: JsonObject = {};
  for (const [name, fn] of Object.entries(source.functions)) {
    const inputs = fieldsSpec(fn.inputs, packageName);
    const outputs = fieldsSpec(fn.outputs, packageName);
    functions[tokenOf(name, packageName)] = {
      description: fn.description,
      inputs: { properties: inputs.properties, required: inputs.required },
      outputs: { properties: outputs.properties, required: outputs.required },
    };
  }

  const types: JsonObject = {};
  for (const [name, type] of Object.entries(source.types)) {
    const fields = fieldsSpec(type.properties, packageName);
    types[tokenOf(name, packageName)] = {
      type: "object",
      description: type.description,
      properties: fields.properties,
      required: fields.required,
    };
  }

  return {
    name: packageName,
    displayName: "Egret",
    version: source.version,
    description: "Manage Egret organizations: adopt an existing organization by slug and manage its name and allowed domains.",
    keywords: ["pulumi", "egret"],
    license: "Apache-2.0",
    config: { variables: config.properties },
    provider: {
      description: "The provider type for the egret package. Settings fall back to their EGRET_* environment variables.",
      inputProperties: config.properties,
    },
    resources,
    functions,
    types,
    language: {
      nodejs: {
        // A generated Node.js SDK gets its own name, so it never shadows this package.
        packageName: "@egret/pulumi-sdk",
        dependencies: { "@pulumi/pulumi": "^3.0.0" },
      },
      python: { packageName: "pulumi_egret", requires: { pulumi: ">=3.0.0,<4.0.0" } },
      // NOTE: example.com is the module path that `pulumi package add` uses for local Go SDKs
      // by default; a published Go SDK would need a real module path here.
      go: { importBasePath: "example.com/pulumi-egret/sdk/go/egret", generateResourceContainerTypes: true },
      csharp: { rootNamespace: "Pulumi", packageReferences: { Pulumi: "3.*" } },
    },
  };
}
