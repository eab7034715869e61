import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../sdk/emulator";
import { EmulatorControl } from "./helpers/emulator";
import { API_KEY, defineLifecycleCases, type ProviderFace } from "./helpers/lifecycle";
import { startDynamicHost, urnOf, type ProviderProcess } from "./helpers/provider-process";
import { runProgram } from "./helpers/program";

const TYPE = "pulumi-nodejs:dynamic/egret:Organization";
const URN = urnOf(TYPE, "main");

let emulator: RunningEmulator;
let control: EmulatorControl;
let host: ProviderProcess;
let serializedProvider: string;

/** Drives the dynamic provider host as the engine does: every property set carries `__provider`. */
function dynamicFace(): ProviderFace {
  const withProvider = (properties: Record<string, unknown>) => ({ ...properties, __provider: serializedProvider });
  return {
    check: (news, olds = {}) => host.check(URN, withProvider(olds), withProvider(news)),
    diff: (id, state, inputs) => host.diff(id, URN, withProvider(state), withProvider(inputs)),
    create: (inputs) => host.create(URN, withProvider(inputs)),
    read: (id, state, inputs) => host.read(id, URN, withProvider(state), inputs && withProvider(inputs)),
    update: (id, state, inputs) => host.update(id, URN, withProvider(state), withProvider(inputs)),
    delete: (id, state) => host.delete(id, URN, withProvider(state)),
    output: () => host.output(),
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  control = new EmulatorControl(emulator.url);

  const { resources } = await runProgram(() => import("../examples/quickstart/index"));
  serializedProvider = resources[0].inputs.__provider as string;

  host = await startDynamicHost();
  await host.configure({ "egret:apiKey": API_KEY, "egret:apiUrl": emulator.url, "egret:retryBaseDelayMs": "1" });
});

afterAll(async () => {
  await host?.close();
  await emulator?.close();
});

beforeEach(async () => {
  await control.reset();
});

describe("dynamic provider host", () => {
  defineLifecycleCases(() => dynamicFace(), () => control);

  it("stores a stub of at most 4 KB", () => {
    expect(Buffer.byteLength(serializedProvider)).toBeLessThanOrEqual(4096);
    expect(serializedProvider).not.toContain(API_KEY);
    expect(serializedProvider).not.toContain("getOrganization");
  });

  it("returns the provider stub with every output", async () => {
    const { inputs } = await dynamicFace().check({ slug: "egret-ai" });
    const created = await dynamicFace().create(inputs);

    expect(created.properties.__provider).toBe(serializedProvider);
  });
});

/** Returns the gRPC details of a failed call, or "succeeded". */
async function detailsOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "succeeded";
  } catch (error) {
    return String((error as { details?: unknown }).details);
  }
}

describe("dynamic provider host with invalid config", () => {
  let configured: RunningEmulator;
  let fromEnvironment: RunningEmulator;
  let badHost: ProviderProcess;

  /** Adopted state whose update and delete would each PATCH, if a client were built. */
  const state = {
    slug: "egret-ai",
    name: "Egret AI LLC",
    allowedDomains: [],
    managedFields: ["name"],
    restoreOnDelete: true,
    adoptedName: "Egret AI",
    __provider: "",
  };

  beforeAll(async () => {
    configured = await startEmulator({ port: 0 });
    fromEnvironment = await startEmulator({ port: 0 });
    state.__provider = serializedProvider;

    // The environment names a working key and a second emulator, which no call may reach.
    badHost = await startDynamicHost({ env: { EGRET_API_KEY: API_KEY, EGRET_API_URL: fromEnvironment.url } });
    await badHost.configure({ "egret:apiKey": API_KEY, "egret:apiUrl": configured.url, "egret:maxAttempts": "abc" });
  });

  afterAll(async () => {
    await badHost?.close();
    await configured?.close();
    await fromEnvironment?.close();
  });

  it("fails every call with the config error", async () => {
    const news = { slug: "egret-ai", name: "Egret AI Inc", __provider: serializedProvider };

    // Both reads are sent at once, as a refresh of two resources sends them, and one of them configures.
    const [firstRead, secondRead] = await Promise.all([
      detailsOf(badHost.read("egret-ai", URN, state)),
      detailsOf(badHost.read("egret-ai", URN, state)),
    ]);
    const details: Record<string, string> = {
      firstRead,
      secondRead,
      check: await detailsOf(badHost.check(URN, {}, news)),
      diff: await detailsOf(badHost.diff("egret-ai", URN, state, news)),
      create: await detailsOf(badHost.create(URN, news)),
      read: await detailsOf(badHost.read("egret-ai", URN, state)),
      update: await detailsOf(badHost.update("egret-ai", URN, state, news)),
      delete: await detailsOf(badHost.delete("egret-ai", URN, state)),
    };

    for (const [call, text] of Object.entries(details)) {
      expect(text, call).toContain("invalid egret:maxAttempts 'abc'");
      expect(text, call).not.toContain(API_KEY);
    }
    expect(await new EmulatorControl(fromEnvironment.url).requests()).toEqual([]);
    expect(await new EmulatorControl(configured.url).requests()).toEqual([]);
  });
});
