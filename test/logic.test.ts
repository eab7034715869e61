import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultSeed, startEmulator, type RunningEmulator } from "../sdk/emulator";
import { EgretClient, EgretServerError, EgretValidationError } from "../sdk";
import {
  checkOrganization,
  createOrganization,
  deleteOrganization,
  diffOrganization,
  OrganizationInitError,
  OrganizationNotFoundError,
  OrganizationReleaseError,
  readOrganization,
  toInputs,
  updateOrganization,
  type OrganizationInputs,
} from "../provider/organization";
import { EmulatorControl } from "./helpers/emulator";

let emulator: RunningEmulator;
let control: EmulatorControl;
let client: EgretClient;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  control = new EmulatorControl(emulator.url);
  client = new EgretClient({ apiKey: "egret_demo_key", apiUrl: emulator.url, retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
});

afterAll(async () => {
  await client.close();
  await emulator.close();
});

beforeEach(async () => {
  await control.reset();
});

function checked(news: Record<string, unknown>): OrganizationInputs {
  const { inputs, failures } = checkOrganization(news);
  expect(failures).toEqual([]);
  return toInputs(inputs);
}

async function apiRequests() {
  return (await control.requests()).map((entry) => ({ method: entry.method, path: entry.path, body: entry.body }));
}

describe("create", () => {
  it("adopts with one GET and one PATCH when values differ", async () => {
    const outputs = await createOrganization(
      client,
      checked({ slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["business-continuity"] }),
    );

    expect(await apiRequests()).toEqual([
      { method: "GET", path: "/v1/orgs/egret-ai/", body: null },
      {
        method: "PATCH",
        path: "/v1/orgs/egret-ai/",
        body: { name: "Egret AI LLC", allowed_domains: ["business-continuity"] },
      },
    ]);
    expect(outputs.name).toBe("Egret AI LLC");
    expect(outputs.allowedDomains).toEqual(["business-continuity"]);
    expect(outputs.organizationId).toBe("0d4f8133-cefb-47da-8a7b-fb118b1895e9");
    expect(outputs.adoptedName).toBe("Egret AI");
    expect(outputs.adoptedAllowedDomains).toEqual([]);
    expect(outputs.managedFields).toEqual(["name", "allowedDomains"]);
  });

  it("adopts with one GET when values already match", async () => {
    const outputs = await createOrganization(client, checked({ slug: "egret-ai", name: "Egret AI", allowedDomains: [] }));

    expect(await apiRequests()).toEqual([{ method: "GET", path: "/v1/orgs/egret-ai/", body: null }]);
    expect(outputs.storageUsedMb).toBe(0.39);
    expect(outputs.maxStorageMb).toBe(500);
  });

  it("sends only the managed field that differs", async () => {
    await createOrganization(client, checked({ slug: "egret-ai", name: "Renamed" }));

    const patches = (await apiRequests()).filter((entry) => entry.method === "PATCH");
    expect(patches).toEqual([{ method: "PATCH", path: "/v1/orgs/egret-ai/", body: { name: "Renamed" } }]);
  });

  it("sends an empty domain list", async () => {
    await control.patchOrganization("egret-ai", { allowed_domains: ["finance"] });
    await control.clearRequests();

    const outputs = await createOrganization(client, checked({ slug: "egret-ai", allowedDomains: [] }));

    const patches = (await apiRequests()).filter((entry) => entry.method === "PATCH");
    expect(patches).toEqual([{ method: "PATCH", path: "/v1/orgs/egret-ai/", body: { allowed_domains: [] } }]);
    expect(outputs.allowedDomains).toEqual([]);
    expect(outputs.adoptedAllowedDomains).toEqual(["finance"]);
    expect(outputs).not.toHaveProperty("adoptedName");
  });

  it("fails on an unknown slug with the dashboard hint", async () => {
    const adoption = createOrganization(client, checked({ slug: "no-such-org", name: "x" }));

    await expect(adoption).rejects.toBeInstanceOf(OrganizationNotFoundError);
    await expect(adoption).rejects.toThrow(/create it in the Egret dashboard/);
  });

  it("fails on another user's organization", async () => {
    await expect(createOrganization(client, checked({ slug: "other-co" }))).rejects.toBeInstanceOf(
      OrganizationNotFoundError,
    );
  });

  it("keeps the adoption when the PATCH is rejected", async () => {
    const adoption = createOrganization(client, checked({ slug: "egret-ai", allowedDomains: ["astrology"] }));

    await expect(adoption).rejects.toBeInstanceOf(OrganizationInitError);
    const error = (await adoption.catch((caught: unknown) => caught)) as OrganizationInitError;
    expect(error.message).toContain("allowed_domains: Unknown domain: astrology");
    expect(error.id).toBe("egret-ai");
    expect(error.properties.adoptedAllowedDomains).toEqual([]);
  });
});

describe("read", () => {
  it("returns live managed values as inputs after a dashboard rename", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "Egret AI LLC" }));
    await control.patchOrganization("egret-ai", { name: "Renamed In Dashboard" });

    const refreshed = await readOrganization(client, "egret-ai", state);

    expect(refreshed?.inputs).toEqual({ slug: "egret-ai", name: "Renamed In Dashboard" });
    expect(diffOrganization(refreshed!.outputs, checked({ slug: "egret-ai", name: "Egret AI LLC" }))).toEqual({
      changes: true,
      updates: ["name"],
      replaces: [],
    });
  });

  it("shows no drift when only usage counters move", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "Egret AI LLC" }));
    await control.patchOrganization("egret-ai", { document_count: 40, storage_used_bytes: 104857600, member_count: 4 });

    const refreshed = await readOrganization(client, "egret-ai", state);

    expect(refreshed?.outputs.documentCount).toBe(40);
    expect(refreshed?.outputs.storageUsedMb).toBe(100);
    expect(diffOrganization(refreshed!.outputs, checked({ slug: "egret-ai", name: "Egret AI LLC" })).changes).toBe(false);
  });

  it("leaves unmanaged fields out of the inputs", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", allowedDomains: ["legal"] }));
    await control.patchOrganization("egret-ai", { name: "Someone Else's Name" });

    const refreshed = await readOrganization(client, "egret-ai", state);

    expect(refreshed?.inputs).toEqual({ slug: "egret-ai", allowedDomains: ["legal"] });
    expect(refreshed?.outputs.name).toBe("Someone Else's Name");
  });

  it("reports a deleted organization only on 404", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai" }));
    await control.reset({ domains: [], keys: { egret_demo_key: { email: "you@example.com" } }, organizations: [] });

    expect(await readOrganization(client, "egret-ai", state)).toBeUndefined();
  });

  it("raises on a 503 instead of reporting the organization gone", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai" }));
    await control.addFault({ method: "GET", path: "/v1/orgs/egret-ai/", status: 503, times: 10 });

    await expect(readOrganization(client, "egret-ai", state)).rejects.toBeInstanceOf(EgretServerError);
  });

  it("adopts every managed field on import by ID", async () => {
    const imported = await readOrganization(client, "egret-ai", undefined);

    expect(imported?.inputs).toEqual({ slug: "egret-ai", name: "Egret AI", allowedDomains: [] });
    expect(imported?.outputs.adoptedName).toBe("Egret AI");
    expect(diffOrganization(imported!.outputs, checked({ slug: "egret-ai", name: "Egret AI", allowedDomains: [] })).changes).toBe(false);
  });
});

describe("diff", () => {
  it("ignores domain order and duplicates", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", allowedDomains: ["legal", "finance"] }));

    const result = diffOrganization(state, checked({ slug: "egret-ai", allowedDomains: ["finance", "legal", "finance"] }));

    expect(result.changes).toBe(false);
  });

  it("replaces on a changed slug", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai" }));

    expect(diffOrganization(state, checked({ slug: "egret-labs" })).replaces).toEqual(["slug"]);
  });

  it("updates a field that stops being managed", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "Egret AI LLC" }));

    const result = diffOrganization(state, checked({ slug: "egret-ai" }));

    expect(result.changes).toBe(true);
    expect(result.updates).toEqual(["name"]);
    expect(result.replaces).toEqual([]);
  });

  it("updates a field that starts being managed", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai" }));

    const result = diffOrganization(state, checked({ slug: "egret-ai", name: state.name }));

    expect(result.changes).toBe(true);
    expect(result.updates).toEqual(["name"]);
  });
});

describe("update", () => {
  it("sends one PATCH with only the changed name", async () => {
    const state = await createOrganization(
      client,
      checked({ slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["business-continuity"] }),
    );
    await control.clearRequests();

    const outputs = await updateOrganization(
      client,
      state,
      checked({ slug: "egret-ai", name: "Egret AI Inc", allowedDomains: ["business-continuity"] }),
    );

    expect(await apiRequests()).toEqual([{ method: "PATCH", path: "/v1/orgs/egret-ai/", body: { name: "Egret AI Inc" } }]);
    expect(outputs.name).toBe("Egret AI Inc");
    expect(outputs.adoptedName).toBe("Egret AI");
  });

  it("makes no request when only restoreOnDelete changes", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "Egret AI LLC" }));
    await control.clearRequests();

    const outputs = await updateOrganization(client, state, checked({ slug: "egret-ai", name: "Egret AI LLC", restoreOnDelete: true }));

    expect(await apiRequests()).toEqual([]);
    expect(outputs.restoreOnDelete).toBe(true);
  });

  it("records the value of a newly managed field", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "Egret AI LLC" }));

    const outputs = await updateOrganization(client, state, checked({ slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["legal"] }));

    expect(outputs.adoptedAllowedDomains).toEqual([]);
    expect(outputs.allowedDomains).toEqual(["legal"]);
  });
});

describe("delete", () => {
  it("makes no request by default", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "Egret AI LLC" }));
    await control.clearRequests();

    await deleteOrganization(client, state);

    expect(await apiRequests()).toEqual([]);
  });

  it("restores the adopted values with one PATCH", async () => {
    const state = await createOrganization(
      client,
      checked({ slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["legal"], restoreOnDelete: true }),
    );
    await control.clearRequests();

    await deleteOrganization(client, state);

    expect(await apiRequests()).toEqual([
      { method: "PATCH", path: "/v1/orgs/egret-ai/", body: { name: "Egret AI", allowed_domains: [] } },
    ]);
  });

  it("restores only fields still managed", async () => {
    const adopted = await createOrganization(
      client,
      checked({ slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["legal"], restoreOnDelete: true }),
    );
    const state = await updateOrganization(
      client,
      adopted,
      checked({ slug: "egret-ai", allowedDomains: ["legal"], restoreOnDelete: true }),
    );
    await control.clearRequests();

    await deleteOrganization(client, state);

    expect(state.adoptedName).toBe("Egret AI");
    expect(await apiRequests()).toEqual([
      { method: "PATCH", path: "/v1/orgs/egret-ai/", body: { allowed_domains: [] } },
    ]);
  });

  it("tolerates an organization that is already gone", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "X", restoreOnDelete: true }));
    await control.reset({ domains: [], keys: { egret_demo_key: { email: "you@example.com" } }, organizations: [] });

    await expect(deleteOrganization(client, state)).resolves.toBeUndefined();
  });

  it("explains a rejected restore", async () => {
    await control.patchOrganization("egret-ai", { allowed_domains: ["legal"] });
    const state = await createOrganization(
      client,
      checked({ slug: "egret-ai", allowedDomains: ["finance"], restoreOnDelete: true }),
    );
    // The adopted domain leaves the catalogue, so the API rejects putting it back.
    const seed = defaultSeed();
    seed.domains = seed.domains.filter((domain) => domain !== "legal");
    seed.organizations = seed.organizations.map((organization) => ({
      ...organization,
      allowed_domains: organization.slug === "egret-ai" ? ["finance"] : [],
    }));
    await control.reset(seed);

    const error = await deleteOrganization(client, state).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrganizationReleaseError);
    const message = (error as Error).message;
    expect(message).toContain("organization 'egret-ai' was not released");
    expect(message).toContain("legal");
    expect(message).toContain("set restoreOnDelete: false and run pulumi up, then destroy again");
    expect(message).toContain("pulumi state delete <urn>");
    expect(message).not.toContain("Fix these values");
    expect((error as Error).cause).toBeInstanceOf(EgretValidationError);
  });

  it("explains a restore that keeps failing", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "X", restoreOnDelete: true }));
    await control.addFault({ method: "PATCH", path: "/v1/orgs/egret-ai/", status: 503, times: 100 });

    const error = await deleteOrganization(client, state).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrganizationReleaseError);
    const message = (error as Error).message;
    expect(message).toContain("organization 'egret-ai' was not released: restoreOnDelete could not put back name");
    expect(message).toContain("503");
    expect(message).toContain("set restoreOnDelete: false and run pulumi up");
    expect((error as Error).cause).toBeInstanceOf(EgretServerError);
  });
});
