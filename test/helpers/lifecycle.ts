import { expect, it } from "vitest";
import type { EmulatorControl } from "./emulator";

/** The value the engine sends, during a preview, for an input that is not known yet. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** The API key every lifecycle case uses; no output, error or log may contain it. */
export const API_KEY = "egret_demo_key";

type Properties = Record<string, unknown>;

/**
 * One face of the provider (the dynamic provider host or the plugin), driven over gRPC. The
 * shared lifecycle cases below run unchanged against each face.
 */
export interface ProviderFace {
  check(news: Properties, olds?: Properties): Promise<{ inputs: Properties; failures: { property: string; reason: string }[] }>;
  diff(id: string, state: Properties, inputs: Properties, oldInputs?: Properties): Promise<{ changes: string; replaces: string[] }>;
  create(inputs: Properties): Promise<{ id: string; properties: Properties }>;
  read(id: string, state: Properties, inputs?: Properties): Promise<{ id: string; properties: Properties; inputs?: Properties }>;
  update(id: string, state: Properties, inputs: Properties, oldInputs?: Properties): Promise<{ properties: Properties }>;
  delete(id: string, state: Properties, oldInputs?: Properties): Promise<void>;
  /** Everything the provider process printed so far. */
  output(): string;
}

async function apiRequests(control: EmulatorControl) {
  return (await control.requests()).map((entry) => ({ method: entry.method, path: entry.path, body: entry.body }));
}

/** Runs check then create, as `pulumi up` does for a new resource. */
async function adopt(face: ProviderFace, news: Properties) {
  const { inputs, failures } = await face.check(news);
  expect(failures).toEqual([]);
  const created = await face.create(inputs);
  return { inputs, ...created };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? `${error.message} ${(error as { details?: string }).details ?? ""}` : String(error);
}

/**
 * Registers the lifecycle cases for one face. `getFace` and `getControl` are read when each
 * case runs, after the suite's beforeAll started the processes; the emulator is reset before
 * each case by the caller.
 */
export function defineLifecycleCases(getFace: () => ProviderFace, getControl: () => EmulatorControl): void {
  it("adopts with one GET and one PATCH", async () => {
    const face = getFace();
    const control = getControl();

    const { id, inputs, properties } = await adopt(face, {
      slug: "egret-ai",
      name: "Egret AI LLC",
      allowedDomains: ["business-continuity"],
    });

    expect(id).toBe("egret-ai");
    expect(await apiRequests(control)).toEqual([
      { method: "GET", path: "/v1/orgs/egret-ai/", body: null },
      { method: "PATCH", path: "/v1/orgs/egret-ai/", body: { name: "Egret AI LLC", allowed_domains: ["business-continuity"] } },
    ]);
    expect(properties.storageUsedMb).toBe(0.39);
    expect(properties.organizationId).toBe("0d4f8133-cefb-47da-8a7b-fb118b1895e9");
    expect((await face.diff(id, properties, inputs)).changes).toBe("none");
  });

  it("adopts matching values with one GET", async () => {
    const face = getFace();
    const control = getControl();

    await adopt(face, { slug: "egret-ai", name: "Egret AI", allowedDomains: [] });

    expect(await apiRequests(control)).toEqual([{ method: "GET", path: "/v1/orgs/egret-ai/", body: null }]);
  });

  it("changes the name with one PATCH", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["legal"] });
    await control.clearRequests();

    const { inputs: news } = await face.check({ slug: "egret-ai", name: "Egret AI Inc", allowedDomains: ["legal"] }, inputs);
    expect((await face.diff(id, properties, news, inputs)).changes).toBe("some");
    const updated = await face.update(id, properties, news, inputs);

    expect(await apiRequests(control)).toEqual([{ method: "PATCH", path: "/v1/orgs/egret-ai/", body: { name: "Egret AI Inc" } }]);
    expect(updated.properties.name).toBe("Egret AI Inc");
  });

  it("shows a dashboard rename as drift", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai", name: "Egret AI LLC" });
    await control.patchOrganization("egret-ai", { name: "Renamed In Dashboard" });

    const refreshed = await face.read(id, properties, inputs);

    expect(refreshed.id).toBe("egret-ai");
    expect(refreshed.inputs?.name).toBe("Renamed In Dashboard");
    expect(refreshed.properties.name).toBe("Renamed In Dashboard");
    expect((await face.diff(id, refreshed.properties, inputs, refreshed.inputs)).changes).toBe("some");
  });

  it("shows no drift when usage counters move", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai", name: "Egret AI LLC", allowedDomains: [] });
    await control.patchOrganization("egret-ai", { document_count: 42, storage_used_bytes: 52428800, member_count: 3 });

    const refreshed = await face.read(id, properties, inputs);

    expect(refreshed.properties.documentCount).toBe(42);
    expect(refreshed.properties.storageUsedMb).toBe(50);
    expect((await face.diff(id, refreshed.properties, inputs, refreshed.inputs)).changes).toBe("none");
  });

  it("treats allowed domains as a set", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai", allowedDomains: ["legal", "finance"] });

    const { inputs: reordered } = await face.check({ slug: "egret-ai", allowedDomains: ["finance", "legal", "finance"] }, inputs);

    expect(reordered.allowedDomains).toEqual(["finance", "legal"]);
    expect((await face.diff(id, properties, reordered, inputs)).changes).toBe("none");
    const patches = (await apiRequests(control)).filter((entry) => entry.method === "PATCH");
    expect(patches).toEqual([{ method: "PATCH", path: "/v1/orgs/egret-ai/", body: { allowed_domains: ["finance", "legal"] } }]);
  });

  it("sends an empty domain list and never an omitted field", async () => {
    const face = getFace();
    const control = getControl();
    await control.patchOrganization("egret-ai", { allowed_domains: ["finance"] });
    await control.clearRequests();

    await adopt(face, { slug: "egret-ai", allowedDomains: [] });

    const patches = (await apiRequests(control)).filter((entry) => entry.method === "PATCH");
    expect(patches).toEqual([{ method: "PATCH", path: "/v1/orgs/egret-ai/", body: { allowed_domains: [] } }]);
  });

  it("replaces on a changed slug", async () => {
    const face = getFace();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai" });

    const { inputs: news } = await face.check({ slug: "egret-labs" }, inputs);
    const result = await face.diff(id, properties, news, inputs);

    expect(result.changes).toBe("some");
    expect(result.replaces).toEqual(["slug"]);
  });

  it("diffs unknown inputs as changes", async () => {
    const face = getFace();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai", allowedDomains: ["legal"] });

    const checked = await face.check({ slug: UNKNOWN, name: UNKNOWN, allowedDomains: UNKNOWN }, inputs);
    const unknownDomains = await face.diff(id, properties, { slug: "egret-ai", allowedDomains: UNKNOWN }, inputs);
    const unknownSlug = await face.diff(id, properties, { slug: UNKNOWN, allowedDomains: ["legal"] }, inputs);

    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ slug: UNKNOWN, name: UNKNOWN, allowedDomains: UNKNOWN });
    expect(unknownDomains.changes).toBe("some");
    expect(unknownDomains.replaces).toEqual([]);
    expect(unknownSlug.changes).toBe("some");
    expect(unknownSlug.replaces).toEqual(["slug"]);
  });

  it("releases without a request", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai", name: "Egret AI LLC" });
    await control.clearRequests();

    await face.delete(id, properties, inputs);

    expect(await apiRequests(control)).toEqual([]);
  });

  it("restores adopted values on delete", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, {
      slug: "egret-ai",
      name: "Egret AI LLC",
      allowedDomains: ["legal"],
      restoreOnDelete: true,
    });
    await control.clearRequests();

    await face.delete(id, properties, inputs);

    expect(await apiRequests(control)).toEqual([
      { method: "PATCH", path: "/v1/orgs/egret-ai/", body: { name: "Egret AI", allowed_domains: [] } },
    ]);
  });

  it("stops managing a dropped field", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, {
      slug: "egret-ai",
      name: "Egret AI LLC",
      allowedDomains: ["legal"],
      restoreOnDelete: true,
    });
    await control.clearRequests();

    const { inputs: news } = await face.check({ slug: "egret-ai", allowedDomains: ["legal"], restoreOnDelete: true }, inputs);
    const diff = await face.diff(id, properties, news, inputs);
    const updated = await face.update(id, properties, news, inputs);
    const updateRequests = await apiRequests(control);
    await control.patchOrganization("egret-ai", { name: "Renamed In Dashboard" });
    const refreshed = await face.read(id, updated.properties, news);
    await control.clearRequests();
    await face.delete(id, refreshed.properties, refreshed.inputs);

    expect(diff.changes).toBe("some");
    expect(diff.replaces).toEqual([]);
    expect(updateRequests).toEqual([]);
    expect(updated.properties.managedFields).toEqual(["allowedDomains"]);
    expect(refreshed.inputs).not.toHaveProperty("name");
    expect(refreshed.inputs?.allowedDomains).toEqual(["legal"]);
    expect(await apiRequests(control)).toEqual([
      { method: "PATCH", path: "/v1/orgs/egret-ai/", body: { allowed_domains: [] } },
    ]);
    expect((await control.storedOrganization("egret-ai")).name).toBe("Renamed In Dashboard");
  });

  it("fails to adopt an unknown slug", async () => {
    const face = getFace();
    const { inputs } = await face.check({ slug: "no-such-org", name: "x" });

    const error = await face.create(inputs).catch((caught: unknown) => caught);

    expect(messageOf(error)).toMatch(/organization 'no-such-org' was not found.*create it in the Egret dashboard/);
  });

  it("raises on a 503 during read", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai" });
    await control.addFault({ method: "GET", path: "/v1/orgs/egret-ai/", status: 503, times: 100 });

    const error = await face.read(id, properties, inputs).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(messageOf(error)).toContain("503");
  });

  it("reports every invalid input at once", async () => {
    const face = getFace();

    const { failures } = await face.check({ slug: "not a slug!", name: "  ", allowedDomains: ["ok", 7, ""] });

    expect(failures.map((failure) => failure.property).sort()).toEqual(
      ["allowedDomains[1]", "allowedDomains[2]", "name", "slug"].sort(),
    );
  });

  it("never shows the API key", async () => {
    const face = getFace();
    const control = getControl();
    const { id, inputs, properties } = await adopt(face, { slug: "egret-ai", name: "Egret AI LLC" });
    await control.addFault({ method: "GET", path: "/v1/orgs/egret-ai/", status: 401, body: { detail: "Invalid token." } });
    const error = await face.read(id, properties, inputs).catch((caught: unknown) => caught);
    const missing = await face.create({ ...inputs, slug: "no-such-org" }).catch((caught: unknown) => caught);

    expect(messageOf(error)).toContain("401");
    expect(messageOf(error)).toContain("egret:apiKey");
    for (const text of [JSON.stringify(properties), JSON.stringify(inputs), messageOf(error), messageOf(missing), face.output()]) {
      expect(text).not.toContain(API_KEY);
    }
  });
}
