import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../sdk/emulator";
import {
  getOrganization,
  getOrganizationOutput,
  listOrganizations,
  listOrganizationsOutput,
} from "../provider/lookups";
import { CONSUMER_DIR } from "./helpers/consumer";
import { EmulatorControl } from "./helpers/emulator";
import { API_KEY } from "./helpers/lifecycle";
import { runProgram } from "./helpers/program";
import { ProviderProcess } from "./helpers/provider-process";

let emulator: RunningEmulator;
let control: EmulatorControl;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  control = new EmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(async () => {
  await control.reset();
  pulumi.runtime.setAllConfig({ "egret:apiKey": API_KEY, "egret:apiUrl": emulator.url, "egret:retryBaseDelayMs": "1" });
});

async function apiRequests() {
  return (await control.requests()).map((entry) => `${entry.method} ${entry.path}`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

describe("getOrganization", () => {
  it("returns the organization in camelCase", async () => {
    const organization = await getOrganization({ slug: "egret-ai" });

    expect(organization).toEqual({
      slug: "egret-ai",
      name: "Egret AI",
      allowedDomains: [],
      organizationId: "0d4f8133-cefb-47da-8a7b-fb118b1895e9",
      ownerEmail: "you@example.com",
      s3Prefix: "orgs/egret-ai/",
      maxDocuments: 50,
      maxStorageBytes: 524288000,
      maxStorageMb: 500,
      maxMembers: 5,
      documentCount: 1,
      storageUsedBytes: 408970,
      storageUsedMb: 0.39,
      memberCount: 1,
      documentsUsedPercent: 2,
      storageUsedPercent: 0,
      membersUsedPercent: 20,
      kbStatus: "active",
      isActive: true,
      createdAt: "2026-03-25T21:54:52.674567Z",
      updatedAt: "2026-03-25T21:54:52.674598Z",
    });
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("fails on an unknown slug", async () => {
    const error = await getOrganization({ slug: "other-co" }).catch((caught: unknown) => caught);

    expect(messageOf(error)).toContain("organization 'other-co' was not found with this API key");
    expect(messageOf(error)).toContain("listOrganizations");
    expect(messageOf(error)).not.toContain(API_KEY);
  });

  it("rejects an invalid slug without a request", async () => {
    const error = await getOrganization({ slug: "not a slug" }).catch((caught: unknown) => caught);

    expect(messageOf(error)).toContain("invalid slug \"not a slug\"");
    expect(await apiRequests()).toEqual([]);
  });

  it("names the missing API key", async () => {
    pulumi.runtime.setAllConfig({ "egret:apiUrl": emulator.url });
    const saved = process.env.EGRET_API_KEY;
    delete process.env.EGRET_API_KEY;
    try {
      const error = await getOrganization({ slug: "egret-ai" }).catch((caught: unknown) => caught);

      expect(messageOf(error)).toContain("missing Egret API key");
      expect(messageOf(error)).toContain("egret:apiKey");
    } finally {
      if (saved !== undefined) {
        process.env.EGRET_API_KEY = saved;
      }
    }
  });

  it("falls back to the environment", async () => {
    pulumi.runtime.setAllConfig({});
    const saved = { key: process.env.EGRET_API_KEY, url: process.env.EGRET_API_URL };
    process.env.EGRET_API_KEY = API_KEY;
    process.env.EGRET_API_URL = emulator.url;
    try {
      const organization = await getOrganization({ slug: "egret-labs" });

      expect(organization.name).toBe("Egret Labs");
    } finally {
      for (const [name, value] of [
        ["EGRET_API_KEY", saved.key],
        ["EGRET_API_URL", saved.url],
      ] as const) {
        if (value === undefined) {
          delete process.env[name];
        } else {
          process.env[name] = value;
        }
      }
    }
  });

  it("reports the key from config on a 401", async () => {
    await control.addFault({ method: "GET", path: "/v1/orgs/egret-ai/", status: 401, body: { detail: "Invalid token." } });

    const error = await getOrganization({ slug: "egret-ai" }).catch((caught: unknown) => caught);

    expect(messageOf(error)).toContain("egret:apiKey");
    expect(messageOf(error)).not.toContain(API_KEY);
  });
});

describe("listOrganizations", () => {
  it("returns the key's organizations", async () => {
    const { organizations } = await listOrganizations();

    expect(organizations.map((organization) => organization.slug)).toEqual(["egret-ai", "egret-labs"]);
    expect(organizations[1]).toMatchObject({
      organizationId: "5b7e2c1a-9f3d-4e8b-a6c2-1d0f7e9a3b54",
      allowedDomains: ["business-continuity"],
      documentsUsedPercent: 24,
      membersUsedPercent: 40,
    });
    expect(await apiRequests()).toEqual(["GET /v1/orgs/"]);
  });
});

describe("lookups in a program", () => {
  it("resolve Output forms", async () => {
    const { exports } = await runProgram(async () => {
      const slug = pulumi.output(Promise.resolve("egret-labs"));
      const labs = getOrganizationOutput({ slug });
      const all = listOrganizationsOutput();
      return {
        labsName: labs.name,
        labsDomains: labs.allowedDomains,
        slugs: all.organizations.apply((organizations) => organizations.map((organization) => organization.slug)),
      };
    }, { config: { "egret:apiKey": API_KEY, "egret:apiUrl": emulator.url } });

    expect(exports).toEqual({
      labsName: "Egret Labs",
      labsDomains: ["business-continuity"],
      slugs: ["egret-ai", "egret-labs"],
    });
  });
});

describe("lookup invokes of the plugin", () => {
  let plugin: ProviderProcess;

  beforeAll(async () => {
    // Started as the Node.js language host starts it: run-plugin on the installed package, with
    // a program directory as working directory and an engine address that nothing listens on.
    const programDir = join(CONSUMER_DIR, "lookups-program");
    mkdirSync(programDir, { recursive: true });
    writeFileSync(join(programDir, "Pulumi.yaml"), "name: egret-lookups-test\nruntime: yaml\n");
    plugin = await ProviderProcess.start(
      process.execPath,
      [join(CONSUMER_DIR, "node_modules/@pulumi/pulumi/cmd/run-plugin"), join(CONSUMER_DIR, "node_modules/@egret/pulumi"), "127.0.0.1:1"],
      { cwd: programDir, env: { EGRET_API_KEY: undefined, EGRET_API_URL: undefined } },
    );
    await plugin.configureProvider(
      { apiKey: API_KEY, apiUrl: emulator.url, retryBaseDelayMs: "1" },
      { "egret:config:apiKey": API_KEY, "egret:config:apiUrl": emulator.url, "egret:config:retryBaseDelayMs": "1" },
    );
  });

  afterAll(async () => {
    await plugin?.close();
  });

  it("getOrganization matches the library", async () => {
    const fromLibrary = await getOrganization({ slug: "egret-labs" });
    await control.clearRequests();

    const { return: fromPlugin } = await plugin.invoke("egret:index:getOrganization", { slug: "egret-labs" });

    expect(fromPlugin).toEqual(fromLibrary);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-labs/"]);
  });

  it("listOrganizations matches the library", async () => {
    const fromLibrary = await listOrganizations();

    const { return: fromPlugin } = await plugin.invoke("egret:index:listOrganizations", {});

    expect(fromPlugin).toEqual(fromLibrary);
    expect((fromPlugin.organizations as { slug: string }[]).map((organization) => organization.slug)).toEqual([
      "egret-ai",
      "egret-labs",
    ]);
  });

  it("getOrganization fails on an unknown slug", async () => {
    const error = await plugin.invoke("egret:index:getOrganization", { slug: "no-such-org" }).catch((caught: unknown) => caught);

    expect(messageOf(error)).toContain("organization 'no-such-org' was not found with this API key");
    expect(messageOf(error)).not.toContain(API_KEY);
  });

  it("getOrganization rejects a missing slug", async () => {
    const error = await plugin.invoke("egret:index:getOrganization", {}).catch((caught: unknown) => caught);

    expect(messageOf(error)).toContain("invalid slug");
    expect(await apiRequests()).toEqual([]);
  });

  it("schema declares both invokes", async () => {
    const schema = JSON.parse(await plugin.getSchema()) as {
      functions: Record<string, { inputs: { properties: object; required: string[] }; outputs: { properties: object } }>;
      types: Record<string, { properties: object }>;
    };
    const organization = await getOrganization({ slug: "egret-ai" });

    const getter = schema.functions["egret:index:getOrganization"];
    expect(getter.inputs.required).toEqual(["slug"]);
    expect(Object.keys(getter.outputs.properties).sort()).toEqual(Object.keys(organization).sort());
    expect(Object.keys(schema.functions["egret:index:listOrganizations"].outputs.properties)).toEqual(["organizations"]);
    expect(Object.keys(schema.types["egret:index:OrganizationDetails"].properties).sort()).toEqual(
      Object.keys(organization).sort(),
    );
  });
});
