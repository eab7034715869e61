import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../sdk/emulator";
import { engineAddressFromArgs } from "../provider/engine-log";
import { quotaUsage, quotaWarning, usedPercent, type QuotaFields } from "../provider/organization";
import { EmulatorControl } from "./helpers/emulator";
import { FakeEngine } from "./helpers/engine";
import { API_KEY } from "./helpers/lifecycle";
import { startDynamicHost, urnOf, type ProviderProcess } from "./helpers/provider-process";
import { runProgram } from "./helpers/program";

describe("usedPercent", () => {
  it.each([
    [45, 50, 90],
    [1, 3, 33.3],
    [2, 3, 66.6],
    [408970, 524288000, 0],
    [524287999, 524288000, 99.9],
    [50, 50, 100],
    [60, 50, 100],
    [0, 50, 0],
    [0, 0, 0],
    [1, 0, 100],
  ])("%d of %d is %d", (used, limit, percent) => {
    expect(usedPercent(used, limit)).toBe(percent);
  });
});

describe("quotaWarning", () => {
  const base: QuotaFields = {
    slug: "egret-ai",
    documentCount: 46,
    maxDocuments: 50,
    storageUsedBytes: 10 * 1048576,
    maxStorageBytes: 500 * 1048576,
    storageUsedMb: 10,
    maxStorageMb: 500,
    memberCount: 5,
    maxMembers: 5,
    ...quotaUsage({
      documentCount: 46,
      maxDocuments: 50,
      storageUsedBytes: 10 * 1048576,
      maxStorageBytes: 500 * 1048576,
      memberCount: 5,
      maxMembers: 5,
    }),
  };

  it("lists every limit over the threshold", () => {
    const warning = quotaWarning(base, 90);

    expect(warning).toContain("organization 'egret-ai' uses at least 90% of its plan limits");
    expect(warning).toContain("documents 92% (46 of 50)");
    expect(warning).toContain("members 100% (5 of 5)");
    expect(warning).not.toContain("storage");
    expect(warning).toContain("quotaWarningPercent");
  });

  it("is silent under the threshold", () => {
    expect(quotaWarning(base, 100.1)).toBeUndefined();
    expect(quotaWarning({ ...base, documentsUsedPercent: 10, membersUsedPercent: 10 })).toBeUndefined();
  });

  it("shows bytes just under the storage limit", () => {
    const nearlyFull = {
      ...base,
      storageUsedBytes: 524_287_999,
      storageUsedMb: 500,
      ...quotaUsage({ ...base, storageUsedBytes: 524_287_999, maxStorageBytes: 500 * 1048576 }),
    };

    const warning = quotaWarning(nearlyFull, 90);

    expect(warning).toContain("storage 99.9% (524,287,999 of 524,288,000 bytes)");
    expect(warning).not.toContain("500 of 500 MB");
  });

  it("shows MB at the storage limit", () => {
    const full = { ...base, storageUsedBytes: 500 * 1048576, storageUsedMb: 500, storageUsedPercent: 100 };

    expect(quotaWarning(full, 90)).toContain("storage 100% (500 of 500 MB)");
  });

  it("warns at exactly the threshold", () => {
    expect(quotaWarning({ ...base, membersUsedPercent: 0, documentsUsedPercent: 90 }, 90)).toContain("documents 90%");
  });
});

describe("engineAddressFromArgs", () => {
  it.each([
    [["127.0.0.1:40123"], "127.0.0.1:40123"],
    [["--logtostderr", "-v=9", "127.0.0.1:40123"], "127.0.0.1:40123"],
    [["--tracing", "file:/tmp/trace", "127.0.0.1:40123"], "127.0.0.1:40123"],
    [[":40123"], "127.0.0.1:40123"],
    [[], undefined],
    [["--logtostderr"], undefined],
    [["/path/to/plugin"], undefined],
  ])("%j gives %s", (args, address) => {
    expect(engineAddressFromArgs(args)).toBe(address);
  });
});

describe("quota warning through the dynamic provider host", () => {
  const TYPE = "pulumi-nodejs:dynamic/egret:Organization";
  const URN = urnOf(TYPE, "main");

  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let engine: FakeEngine;
  let host: ProviderProcess;
  let unreachableEngineHost: ProviderProcess;
  let serializedProvider: string;

  const withProvider = (properties: Record<string, unknown>) => ({ ...properties, __provider: serializedProvider });

  async function startHost(engineAddress: string): Promise<ProviderProcess> {
    const started = await startDynamicHost({ engineAddress });
    await started.configure({ "egret:apiKey": API_KEY, "egret:apiUrl": emulator.url, "egret:retryBaseDelayMs": "1" });
    return started;
  }

  async function adopt(provider: ProviderProcess, news: Record<string, unknown>) {
    const { inputs, failures } = await provider.check(URN, withProvider({}), withProvider(news));
    expect(failures).toEqual([]);
    return provider.create(URN, inputs);
  }

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    control = new EmulatorControl(emulator.url);
    engine = await FakeEngine.start();

    const { resources } = await runProgram(() => import("../examples/quickstart/index"));
    serializedProvider = resources[0].inputs.__provider as string;

    host = await startHost(engine.address);
    // Nothing listens on port 1, so every Log call to this engine address fails.
    unreachableEngineHost = await startHost("127.0.0.1:1");
  });

  afterAll(async () => {
    await host?.close();
    await unreachableEngineHost?.close();
    await engine?.close();
    await emulator?.close();
  });

  beforeEach(async () => {
    await control.reset();
    await control.patchOrganization("egret-ai", { document_count: 46, member_count: 5 });
    engine.clear();
  });

  it("sends a warning on create", async () => {
    const created = await adopt(host, { slug: "egret-ai" });

    expect(created.properties.documentsUsedPercent).toBe(92);
    expect(created.properties.membersUsedPercent).toBe(100);
    expect(created.properties.storageUsedPercent).toBe(0);
    expect(engine.messages).toHaveLength(1);
    const [warning] = engine.messages;
    expect(warning.severity).toBe("warning");
    expect(warning.message).toContain("organization 'egret-ai'");
    expect(warning.message).toContain("documents 92% (46 of 50)");
    expect(warning.message).toContain("members 100% (5 of 5)");
    // The dynamic provider host does not pass the URN on to the provider, so the warning has none.
    expect(warning.urn).toBe("");
    expect(warning.message).not.toContain(API_KEY);
  });

  it("sends a warning on refresh", async () => {
    await control.patchOrganization("egret-ai", { document_count: 1, member_count: 1 });
    const created = await adopt(host, { slug: "egret-ai" });
    expect(engine.messages).toEqual([]);
    await control.patchOrganization("egret-ai", { storage_used_bytes: 500 * 1048576 });

    const refreshed = await host.read("egret-ai", URN, withProvider(created.properties));

    expect(refreshed.properties.storageUsedPercent).toBe(100);
    expect(engine.messagesOf("warning")).toHaveLength(1);
    expect(engine.messages[0].message).toContain("storage 100% (500 of 500 MB)");
  });

  it("sends a warning on update", async () => {
    const created = await adopt(host, { slug: "egret-ai", quotaWarningPercent: 100 });
    expect(engine.messages).toHaveLength(1);
    expect(engine.messages[0].message).toContain("uses at least 100%");
    expect(engine.messages[0].message).not.toContain("documents");
    engine.clear();

    const { inputs } = await host.check(URN, withProvider({}), withProvider({ slug: "egret-ai", name: "Renamed" }));
    await host.update("egret-ai", URN, withProvider(created.properties), inputs);

    expect(engine.messages).toHaveLength(1);
    expect(engine.messages[0].message).toContain("documents 92%");
  });

  it("honours a higher threshold", async () => {
    await control.patchOrganization("egret-ai", { member_count: 4 });

    await adopt(host, { slug: "egret-ai", quotaWarningPercent: 95 });

    expect(engine.messages).toEqual([]);
  });

  it("names the bytes just under the storage limit", async () => {
    await control.patchOrganization("egret-ai", { document_count: 1, member_count: 1, storage_used_bytes: 524_287_999 });

    const created = await adopt(host, { slug: "egret-ai" });

    expect(created.properties.storageUsedPercent).toBe(99.9);
    expect(engine.messagesOf("warning")).toHaveLength(1);
    expect(engine.messages[0].message).toContain("storage 99.9% (524,287,999 of 524,288,000 bytes)");
  });

  it("bounds the wait for a silent engine", async () => {
    // Accepts connections and never sends a byte, so the HTTP/2 handshake of the Log call never ends.
    const sockets: Socket[] = [];
    const silentEngine = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silentEngine.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(silentEngine.address() as AddressInfo).port}`;
    const silentEngineHost = await startHost(address);
    try {
      await adopt(silentEngineHost, { slug: "egret-ai" });
      // The host writes stderr before it replies, but the pipe may deliver it after the reply.
      while (!silentEngineHost.output().includes("sending this message")) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }

      const output = silentEngineHost.output();
      expect(output).toContain("warning: organization 'egret-ai' uses at least 90% of its plan limits");
      expect(output).toContain(`sending this message to the Pulumi engine at ${address} failed: no reply within 2 s`);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      await silentEngineHost.close();
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise((resolve) => silentEngine.close(resolve));
    }
  });

  it("falls back to stderr without an engine", async () => {
    await adopt(unreachableEngineHost, { slug: "egret-ai" });

    const output = unreachableEngineHost.output();
    expect(output).toContain("warning: organization 'egret-ai' uses at least 90% of its plan limits");
    expect(output).toContain("sending this message to the Pulumi engine at 127.0.0.1:1 failed");
    expect(output).not.toContain(API_KEY);
  });
});
