import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../sdk/emulator";
import { CONSUMER_DIR } from "./helpers/consumer";
import { EmulatorControl } from "./helpers/emulator";
import { API_KEY, defineLifecycleCases, type ProviderFace } from "./helpers/lifecycle";
import { ProviderProcess, urnOf } from "./helpers/provider-process";
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

  host = await ProviderProcess.start(
    process.execPath,
    [join(CONSUMER_DIR, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"), "127.0.0.1:1"],
    { cwd: CONSUMER_DIR, env: { EGRET_API_KEY: "", EGRET_API_URL: "" } },
  );
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
