import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../sdk/emulator";
import {
  getOrganization,
  getOrganizationOutput,
  listOrganizations,
  listOrganizationsOutput,
} from "../provider/lookups";
import { EmulatorControl } from "./helpers/emulator";
import { API_KEY } from "./helpers/lifecycle";
import { runProgram } from "./helpers/program";

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
