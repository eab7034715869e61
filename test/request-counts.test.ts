import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultSeed, DEMO_KEY, startEmulator, type RunningEmulator } from "../sdk/emulator";
import { EmulatorControl } from "./helpers/emulator";
import { API_KEY } from "./helpers/lifecycle";
import { startDynamicHost, urnOf, type ProviderProcess } from "./helpers/provider-process";
import { runProgram } from "./helpers/program";

// Pins the API requests each operation sends through the real dynamic provider host to the
// minimum the API allows. Create sends 1 GET, plus 1 PATCH when values differ. Update sends
// 1 PATCH and read 1 GET. Check, diff and delete send none, except 1 PATCH for a delete with
// restoreOnDelete.

const TYPE = "pulumi-nodejs:dynamic/egret:Organization";
const URN = urnOf(TYPE, "main");

/** The quickstart's inputs. The emulator's `egret-ai` starts as "Egret AI" with no allowed domains. */
const QUICKSTART = { slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["business-continuity"] };

type Properties = Record<string, unknown>;

let emulator: RunningEmulator;
let control: EmulatorControl;
let host: ProviderProcess;
let serializedProvider: string;

function withProvider(properties: Properties): Properties {
  return { ...properties, __provider: serializedProvider };
}

/** Runs Check then Create, as `pulumi up` does for a new resource. */
async function adopt(news: Properties) {
  const { inputs, failures } = await host.check(URN, {}, withProvider(news));
  expect(failures).toEqual([]);
  const created = await host.create(URN, inputs);
  return { inputs, ...created };
}

/** Runs `operation` with an empty request log and returns the API requests it sent. */
async function requestsOf(operation: () => Promise<unknown>): Promise<string[]> {
  await control.clearRequests();
  await operation();
  return (await control.requests()).map((entry) => `${entry.method} ${entry.path}`);
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  control = new EmulatorControl(emulator.url);

  const { resources } = await runProgram(() => import("../examples/quickstart/index"));
  serializedProvider = resources[0].inputs.__provider as string;

  host = await startDynamicHost();
  await host.configure({ "egret:apiKey": API_KEY, "egret:apiUrl": emulator.url });
});

afterAll(async () => {
  await host?.close();
  await emulator?.close();
});

beforeEach(async () => {
  await control.reset();
});

describe("requests per operation", () => {
  it("check sends none", async () => {
    const sent = await requestsOf(() => host.check(URN, {}, withProvider(QUICKSTART)));

    expect(sent).toEqual([]);
  });

  it("create sends GET and PATCH when values differ", async () => {
    const sent = await requestsOf(() => adopt(QUICKSTART));

    expect(sent).toEqual(["GET /v1/orgs/egret-ai/", "PATCH /v1/orgs/egret-ai/"]);
  });

  it("create sends one GET when values match", async () => {
    const sent = await requestsOf(() => adopt({ slug: "egret-ai", name: "Egret AI", allowedDomains: [] }));

    expect(sent).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("diff sends none", async () => {
    const { id, inputs, properties } = await adopt(QUICKSTART);
    const { inputs: renamed } = await host.check(URN, inputs, withProvider({ ...QUICKSTART, name: "Egret AI Inc" }));

    const sent = await requestsOf(async () => {
      expect((await host.diff(id, URN, properties, inputs)).changes).toBe("none");
      expect((await host.diff(id, URN, properties, renamed)).changes).toBe("some");
    });

    expect(sent).toEqual([]);
  });

  it("update sends one PATCH", async () => {
    const { id, inputs, properties } = await adopt(QUICKSTART);
    const { inputs: renamed } = await host.check(URN, inputs, withProvider({ ...QUICKSTART, name: "Egret AI Inc" }));

    const sent = await requestsOf(() => host.update(id, URN, properties, renamed));

    expect(sent).toEqual(["PATCH /v1/orgs/egret-ai/"]);
  });

  it("read sends one GET", async () => {
    const { id, inputs, properties } = await adopt(QUICKSTART);

    const sent = await requestsOf(() => host.read(id, URN, properties, inputs));

    expect(sent).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("delete sends none", async () => {
    const { id, properties } = await adopt(QUICKSTART);

    const sent = await requestsOf(() => host.delete(id, URN, properties));

    expect(sent).toEqual([]);
  });

  it("delete with restoreOnDelete sends one PATCH", async () => {
    const { id, properties } = await adopt({ ...QUICKSTART, restoreOnDelete: true });

    const sent = await requestsOf(() => host.delete(id, URN, properties));

    expect(sent).toEqual(["PATCH /v1/orgs/egret-ai/"]);
  });
});

describe("throttled key", () => {
  /** Organizations adopted at once: three times the throttle rate, so the burst spans three windows. */
  const BURST = 90;
  /** Requests per second the emulator lets through for the key. */
  const RATE = 30;

  it("adopts a burst with at most one 429 each", async () => {
    const seed = defaultSeed();
    const slugs = Array.from({ length: BURST }, (_, index) => `burst-${index}`);
    seed.organizations.push(...slugs.map((slug) => ({ owner_key: DEMO_KEY, slug, name: slug })));
    await control.reset(seed);
    await control.throttle(RATE);

    const results = await Promise.allSettled(slugs.map((slug) => adopt({ slug, name: slug })));
    const log = await control.requests();
    await control.throttle(null);

    expect(results.filter((result) => result.status === "rejected")).toEqual([]);
    expect(log.filter((entry) => entry.status === 200)).toHaveLength(BURST);
    // While the key is throttled, the client holds back every request, not only the throttled
    // one. A retry then goes before the requests still waiting, so no organization gets 429 twice.
    const throttledPaths = log.filter((entry) => entry.status === 429).map((entry) => entry.path);
    expect(throttledPaths.length).toBeGreaterThan(0);
    expect(throttledPaths.length).toBe(new Set(throttledPaths).size);
  });
});
