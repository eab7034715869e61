import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { keyIdOf, startEmulator, type RunningEmulator } from "../sdk/emulator";
import { UNKNOWN } from "../provider/organization/check";
import { ORGANIZATION, PACKAGE_VERSION, buildSchema } from "../provider/schema";
import { CONSUMER_DIR } from "./helpers/consumer";
import { FakeEngine } from "./helpers/engine";
import { EmulatorControl } from "./helpers/emulator";
import { API_KEY, defineLifecycleCases, type ProviderFace } from "./helpers/lifecycle";
import { ProviderProcess, urnOf } from "./helpers/provider-process";

const TYPE = "egret:index:Organization";
const URN = urnOf(TYPE, "main");
const SECRET_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

const RUN_PLUGIN = () => join(CONSUMER_DIR, "node_modules/@pulumi/pulumi/cmd/run-plugin");
const PLUGIN_DIR = () => join(CONSUMER_DIR, "node_modules/@egret/pulumi");
const PROGRAM_DIR = () => join(CONSUMER_DIR, "program");

let emulator: RunningEmulator;
let control: EmulatorControl;
let host: ProviderProcess;
const started: ProviderProcess[] = [];

function secret(value: unknown) {
  return { [SECRET_KEY]: SECRET_SIGNATURE, value };
}

function isSecret(value: unknown): boolean {
  return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_KEY] === SECRET_SIGNATURE;
}

/** Names of the properties not marked secret whose value, as JSON, matches `pattern`. */
function unmarkedHolding(properties: Record<string, unknown>, pattern: RegExp): string[] {
  return Object.keys(properties).filter((name) => !isSecret(properties[name]) && pattern.test(JSON.stringify(properties[name])));
}

/**
 * Starts the plugin as the Node.js language host does: run-plugin on the installed package
 * directory, with the engine address as the next argument and a program directory as working
 * directory. EGRET_API_KEY and EGRET_API_URL are unset unless `env` sets them, so settings
 * come only from Configure. The default engine address is a loopback port that nothing listens on.
 */
async function startPlugin(engineAddress = "127.0.0.1:1", env: NodeJS.ProcessEnv = {}): Promise<ProviderProcess> {
  const plugin = await ProviderProcess.start(process.execPath, [RUN_PLUGIN(), PLUGIN_DIR(), engineAddress], {
    cwd: PROGRAM_DIR(),
    env: { EGRET_API_KEY: undefined, EGRET_API_URL: undefined, EGRET_LOG: "debug", ...env },
  });
  started.push(plugin);
  return plugin;
}

/** Builds the Configure request the engine sends for `egret:apiKey` (secret), `egret:apiUrl` and a short retry delay. */
function engineConfig() {
  return {
    args: { apiKey: secret(API_KEY), apiUrl: emulator.url, retryBaseDelayMs: "1" },
    variables: { "egret:config:apiKey": API_KEY, "egret:config:apiUrl": emulator.url, "egret:config:retryBaseDelayMs": "1" },
  };
}

function pluginFace(plugin: ProviderProcess): ProviderFace {
  return {
    check: (news, olds = {}) => plugin.check(URN, olds, news),
    diff: (id, state, inputs, oldInputs) => plugin.diff(id, URN, state, inputs, oldInputs),
    create: (inputs) => plugin.create(URN, inputs),
    read: (id, state, inputs) => plugin.read(id, URN, state, inputs),
    update: (id, state, inputs, oldInputs) => plugin.update(id, URN, state, inputs, oldInputs),
    delete: (id, state, oldInputs) => plugin.delete(id, URN, state, oldInputs),
    output: () => plugin.output(),
  };
}

async function adopt(plugin: ProviderProcess, news: Record<string, unknown>) {
  const { inputs, failures } = await plugin.check(URN, {}, news);
  expect(failures).toEqual([]);
  return { inputs, ...(await plugin.create(URN, inputs)) };
}

async function apiRequests() {
  return (await control.requests()).map((entry) => ({ method: entry.method, path: entry.path, status: entry.status }));
}

/** Returns the gRPC details of a failed call, or "succeeded". */
async function detailsOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "succeeded";
  } catch (error) {
    return String((error as grpc.ServiceError).details);
  }
}

function failureOf(error: unknown): grpc.ServiceError {
  expect(error).toBeInstanceOf(Error);
  return error as grpc.ServiceError;
}

/** Returns the ErrorResourceInitFailed detail of a failed create or update, with which the engine keeps the resource. */
function initFailureOf(error: grpc.ServiceError): provproto.ErrorResourceInitFailed {
  const [details] = error.metadata.get("grpc-status-details-bin");
  const status = statusproto.Status.deserializeBinary(new Uint8Array(details as Buffer));
  const packed = status.getDetailsList()[0];
  expect(packed.getTypeName()).toBe("pulumirpc.ErrorResourceInitFailed");
  return provproto.ErrorResourceInitFailed.deserializeBinary(packed.getValue_asU8());
}

/** Ports on which process `pid` listens, from the TCP tables matched to the socket inodes of its open files. */
function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let link = "";
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the read
    }
    const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
    if (inode !== undefined) {
      inodes.add(inode);
    }
  }

  const ports: number[] = [];
  for (const table of ["tcp", "tcp6"]) {
    const path = `/proc/${pid}/net/${table}`;
    if (!existsSync(path)) {
      continue;
    }
    for (const line of readFileSync(path, "utf8").trim().split("\n").slice(1)) {
      // Columns: sl, local_address (hex ip:port), rem_address, st (0A = LISTEN), ..., inode (10th).
      const columns = line.trim().split(/\s+/);
      if (columns[3] === "0A" && inodes.has(columns[9])) {
        ports.push(Number.parseInt(columns[1].split(":")[1], 16));
      }
    }
  }
  return ports;
}

/** Runs node with `args` in `cwd` until it exits; returns its exit code and output. */
function runNode(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  control = new EmulatorControl(emulator.url);

  mkdirSync(PROGRAM_DIR(), { recursive: true });
  writeFileSync(join(PROGRAM_DIR(), "Pulumi.yaml"), "name: egret-plugin-test\nruntime: yaml\n");

  host = await startPlugin();
  const { args, variables } = engineConfig();
  await host.configureProvider(args, variables);
});

afterAll(async () => {
  await Promise.all(started.map((plugin) => plugin.close()));
  await emulator?.close();
});

beforeEach(async () => {
  await control.reset();
});

describe("plugin host", () => {
  defineLifecycleCases(() => pluginFace(host), () => control);

  it("serves the schema from the tables", async () => {
    const schema = JSON.parse(await host.getSchema()) as Record<string, unknown>;

    expect(schema.name).toBe("egret");
    expect(schema.version).toBe(PACKAGE_VERSION);
    expect(Object.keys(schema.resources as object)).toEqual([TYPE]);
    expect(schema).toEqual(buildSchema());
  });

  it("reports the package version", async () => {
    const manifest = JSON.parse(readFileSync(join(PLUGIN_DIR(), "package.json"), "utf8")) as { version: string };

    expect(await host.getPluginInfo()).toBe(manifest.version);
  });

  it("accepts secrets and supports previews", async () => {
    const { args, variables } = engineConfig();

    expect(await host.configureProvider(args, variables)).toEqual({ acceptSecrets: true, supportsPreview: true });
    expect(await host.handshake("127.0.0.1:1")).toEqual({ acceptSecrets: true, acceptResources: false });
  });

  it("uses a key sent only through Configure", async () => {
    const plugin = await startPlugin();
    const missing = await pluginFace(plugin)
      .create({ slug: "egret-ai" })
      .catch((caught: unknown) => caught);
    expect(failureOf(missing).details).toMatch(/missing Egret API key/);

    await plugin.configureProvider({ apiKey: secret(API_KEY), apiUrl: emulator.url });
    const { id } = await adopt(plugin, { slug: "egret-ai", name: "Egret AI LLC" });

    expect(id).toBe("egret-ai");
    const requests = await control.requests();
    expect(requests.map((entry) => [entry.method, entry.status])).toEqual([
      ["GET", 200],
      ["PATCH", 200],
    ]);
    expect(requests.every((entry) => entry.keyId === keyIdOf(API_KEY))).toBe(true);
    expect(plugin.output()).not.toContain(API_KEY);
  });

  it("reads settings from variables alone", async () => {
    const plugin = await startPlugin();

    await plugin.configureProvider({}, { "egret:config:apiKey": API_KEY, "egret:config:apiUrl": emulator.url });
    await adopt(plugin, { slug: "egret-ai" });

    expect(await apiRequests()).toEqual([{ method: "GET", path: "/v1/orgs/egret-ai/", status: 200 }]);
    expect(plugin.output()).not.toContain(API_KEY);
  });

  it("rejects an invalid setting in Configure", async () => {
    const plugin = await startPlugin();

    const error = await plugin
      .configureProvider({ apiKey: secret(API_KEY), apiUrl: "not a url" })
      .catch((caught: unknown) => caught);

    expect(failureOf(error).code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(failureOf(error).details).toMatch(/invalid egret:apiUrl 'not a url'/);
    expect(failureOf(error).details).not.toContain(API_KEY);
  });

  it("fails every call after a bad Configure", async () => {
    const fromEnvironment = await startEmulator({ port: 0 });
    try {
      const plugin = await startPlugin("127.0.0.1:1", { EGRET_API_KEY: API_KEY, EGRET_API_URL: fromEnvironment.url });
      const configure = plugin.configureProvider({ apiKey: secret(API_KEY), apiUrl: emulator.url, maxAttempts: "abc" });
      // Adopted state whose update and delete would each PATCH, if a client were built.
      const state = {
        slug: "egret-ai",
        name: "Egret AI LLC",
        allowedDomains: [],
        managedFields: ["name"],
        restoreOnDelete: true,
        adoptedName: "Egret AI",
      };
      const news = { slug: "egret-ai", name: "Egret AI Inc" };

      const details: Record<string, string> = {
        configure: await detailsOf(configure),
        check: await detailsOf(plugin.check(URN, {}, news)),
        diff: await detailsOf(plugin.diff("egret-ai", URN, state, news)),
        create: await detailsOf(plugin.create(URN, news)),
        read: await detailsOf(plugin.read("egret-ai", URN, state)),
        update: await detailsOf(plugin.update("egret-ai", URN, state, news)),
        delete: await detailsOf(plugin.delete("egret-ai", URN, state)),
        invoke: await detailsOf(plugin.invoke("egret:index:getOrganization", { slug: "egret-ai" })),
      };

      for (const [call, text] of Object.entries(details)) {
        expect(text, call).toContain("invalid egret:maxAttempts 'abc'");
        expect(text, call).not.toContain(API_KEY);
      }
      expect(await new EmulatorControl(fromEnvironment.url).requests()).toEqual([]);
      expect(await control.requests()).toEqual([]);
    } finally {
      await fromEnvironment.close();
    }
  });

  it("checks config and marks the key secret", async () => {
    const valid = await host.checkConfig("urn:pulumi:test::egret-test::pulumi:providers:egret::default", {}, {
      apiKey: API_KEY,
      apiUrl: emulator.url,
      maxAttempts: "3",
    });
    const invalid = await host.checkConfig("urn:pulumi:test::egret-test::pulumi:providers:egret::default", {}, {
      apiKey: API_KEY,
      apiUrl: "not a url",
      maxAttempts: "many",
    });

    expect(valid.failures).toEqual([]);
    expect(isSecret(valid.inputs.apiKey)).toBe(true);
    expect(valid.inputs.apiUrl).toBe(emulator.url);
    expect(invalid.failures.map((failure) => failure.property).sort()).toEqual(["apiUrl", "maxAttempts"]);
    expect(JSON.stringify(invalid.failures)).not.toContain(API_KEY);
  });

  it("rejects a key that is not a string", async () => {
    const urn = "urn:pulumi:test::egret-test::pulumi:providers:egret::default";

    for (const apiKey of [12345, { nested: API_KEY }, true]) {
      const { failures } = await host.checkConfig(urn, {}, { apiKey, apiUrl: emulator.url });

      const label = JSON.stringify(apiKey);
      expect(failures.map((failure) => failure.property), label).toEqual(["apiKey"]);
      expect(failures[0].reason, label).toContain("pulumi config set --secret egret:apiKey <key>");
      expect(failures[0].reason, label).not.toContain("12345");
      expect(failures[0].reason, label).not.toContain(API_KEY);
    }
  });

  it("rejects an unknown config key", async () => {
    const urn = "urn:pulumi:test::egret-test::pulumi:providers:egret::default";

    const { failures } = await host.checkConfig(urn, {}, { apiKye: API_KEY, apiUrl: emulator.url, version: "0.1.0" });

    expect(failures.map((failure) => failure.property)).toEqual(["apiKye"]);
    expect(failures[0].reason).toContain("egret:apiKye");
    expect(failures[0].reason).toContain("egret:apiKey, egret:apiUrl, egret:maxAttempts");
    expect(failures[0].reason).not.toContain(API_KEY);
  });

  it("accepts tuning numbers and strings", async () => {
    const urn = "urn:pulumi:test::egret-test::pulumi:providers:egret::default";

    const { failures } = await host.checkConfig(urn, {}, { apiKey: API_KEY, maxAttempts: 3, deadlineMs: "5000" });

    expect(failures).toEqual([]);
  });

  it("rejects Configure without a key", async () => {
    const plugin = await startPlugin();

    const error = await plugin.configureProvider({ apiUrl: emulator.url }).catch((caught: unknown) => caught);

    expect(failureOf(error).code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(failureOf(error).details).toContain("missing Egret API key");
    expect(failureOf(error).details).toContain("pulumi config set --secret egret:apiKey <key>");
    expect(failureOf(error).details).toContain("EGRET_API_KEY");
  });

  it("takes the key from EGRET_API_KEY alone", async () => {
    const plugin = await startPlugin("127.0.0.1:1", { EGRET_API_KEY: API_KEY });

    await plugin.configureProvider({ apiUrl: emulator.url }, { "egret:config:apiUrl": emulator.url });
    await adopt(plugin, { slug: "egret-ai" });

    expect(await apiRequests()).toEqual([{ method: "GET", path: "/v1/orgs/egret-ai/", status: 200 }]);
  });

  it("rejects a key that is not a string in Configure", async () => {
    const plugin = await startPlugin();

    const error = await plugin.configureProvider({ apiKey: 12345, apiUrl: emulator.url }).catch((caught: unknown) => caught);

    expect(failureOf(error).code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(failureOf(error).details).toContain("pulumi config set --secret egret:apiKey <key>");
    expect(failureOf(error).details).not.toContain("12345");
  });

  it("diffs config without replacing", async () => {
    const urn = "urn:pulumi:test::egret-test::pulumi:providers:egret::default";
    const olds = { apiKey: API_KEY, apiUrl: emulator.url };

    const same = await host.diffConfig(urn, olds, { ...olds });
    const moved = await host.diffConfig(urn, olds, { ...olds, apiUrl: "http://127.0.0.1:9/" });

    expect(same.changes).toBe("none");
    expect(moved).toEqual({ changes: "some", replaces: [], diffs: ["apiUrl"] });
  });

  it("imports by slug with no diff", async () => {
    await control.patchOrganization("egret-ai", { name: "Egret AI LLC", allowed_domains: ["legal", "finance"] });
    await control.clearRequests();

    const imported = await host.read("egret-ai", URN, {});

    expect(imported.id).toBe("egret-ai");
    expect(imported.inputs).toEqual({ slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["finance", "legal"] });
    expect(imported.properties.organizationId).toBe("0d4f8133-cefb-47da-8a7b-fb118b1895e9");
    expect(imported.properties.adoptedName).toBe("Egret AI LLC");
    expect(await apiRequests()).toEqual([{ method: "GET", path: "/v1/orgs/egret-ai/", status: 200 }]);

    // The program `pulumi import` writes sets exactly these inputs; the next preview diffs them.
    const { inputs, failures } = await host.check(URN, imported.inputs ?? {}, imported.inputs ?? {});
    expect(failures).toEqual([]);
    const diff = await host.diff("egret-ai", URN, imported.properties, inputs, imported.inputs);
    expect(diff.changes).toBe("none");
  });

  it("imports an unknown slug as gone", async () => {
    const imported = await host.read("no-such-org", URN, {});

    expect(imported.id).toBe("");
  });

  it("previews a create without requests", async () => {
    const { inputs } = await host.check(URN, {}, { slug: "egret-ai", name: "Egret AI LLC" });
    await control.clearRequests();

    const preview = await host.create(URN, inputs, { preview: true });

    expect(await apiRequests()).toEqual([]);
    expect(preview.id).toBe("");
    expect(preview.properties.slug).toBe("egret-ai");
    expect(preview.properties.name).toBe("Egret AI LLC");
    expect(preview.properties.allowedDomains).toBe(UNKNOWN);
    expect(preview.properties.organizationId).toBe(UNKNOWN);
    expect(preview.properties.restoreOnDelete).toBe(false);
  });

  it("previews an update without requests", async () => {
    const { id, inputs, properties } = await adopt(host, { slug: "egret-ai", name: "Egret AI LLC" });
    const { inputs: news } = await host.check(URN, inputs, { slug: "egret-ai", name: "Egret AI Inc" });
    await control.clearRequests();

    const preview = await host.update(id, URN, properties, news, inputs, { preview: true });

    expect(await apiRequests()).toEqual([]);
    expect(preview.properties.name).toBe("Egret AI Inc");
    expect(preview.properties.organizationId).toBe(properties.organizationId);
  });

  it("previews an update as it applies", async () => {
    const legal = { name: "Egret AI LLC", allowedDomains: ["legal"] };
    const cases = [
      { from: legal, to: { name: "Egret AI Inc", restoreOnDelete: true, quotaWarningPercent: 80 }, unknown: ["updatedAt"] },
      { from: legal, to: { name: "Egret AI LLC" }, unknown: [] },
      { from: { name: "Egret AI LLC" }, to: legal, unknown: ["updatedAt"] },
      { from: { name: "Egret AI LLC" }, to: { name: "Egret AI LLC", allowedDomains: [] }, unknown: [] },
      { from: legal, to: { ...legal, waitForKbActive: true, kbActiveTimeoutSeconds: 60 }, unknown: [] },
    ];

    for (const { from, to, unknown } of cases) {
      const label = `${JSON.stringify(from)} to ${JSON.stringify(to)}`;
      await control.reset();
      const { id, inputs, properties } = await adopt(host, { slug: "egret-ai", ...from });
      const { inputs: news } = await host.check(URN, inputs, { slug: "egret-ai", ...to });
      await control.clearRequests();

      const preview = await host.update(id, URN, properties, news, inputs, { preview: true });
      expect(await apiRequests(), label).toEqual([]);
      const applied = await host.update(id, URN, properties, news, inputs);

      const unknownNames = Object.keys(preview.properties).filter((name) => preview.properties[name] === UNKNOWN);
      expect(unknownNames, label).toEqual(unknown);
      expect(Object.keys(preview.properties).sort(), label).toEqual(Object.keys(applied.properties).sort());
      for (const [name, value] of Object.entries(applied.properties)) {
        if (!unknown.includes(name)) {
          expect(preview.properties[name], `${label}: ${name}`).toEqual(value);
        }
      }
    }
  });

  it("applies the schema input defaults", async () => {
    const { properties } = await adopt(host, { slug: "egret-ai" });

    for (const [name, property] of Object.entries(ORGANIZATION.properties)) {
      if (property.input?.default !== undefined) {
        expect(properties[name], name).toEqual(property.input.default);
      }
    }
  });

  it("reports a detailed diff", async () => {
    const { id, properties } = await adopt(host, { slug: "egret-ai", name: "Egret AI LLC" });

    const diff = await host.diff(id, URN, properties, { slug: "egret-labs", name: "Egret Labs" });

    expect(diff.replaces).toEqual(["slug"]);
    expect(diff.detailedDiff).toEqual({
      slug: provproto.PropertyDiff.Kind.UPDATE_REPLACE,
      name: provproto.PropertyDiff.Kind.UPDATE,
    });
  });

  it("names a dropped field in the diff", async () => {
    const { id, properties } = await adopt(host, { slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["legal"] });

    const diff = await host.diff(id, URN, properties, { slug: "egret-ai", allowedDomains: ["legal"] });

    expect(diff.changes).toBe("some");
    expect(diff.diffs).toEqual(["name"]);
    expect(diff.detailedDiff).toEqual({ name: provproto.PropertyDiff.Kind.DELETE });
  });

  it("names an added field in the diff", async () => {
    const { id, properties } = await adopt(host, { slug: "egret-ai", name: "Egret AI LLC" });

    const same = await host.diff(id, URN, properties, { slug: "egret-ai", name: "Egret AI LLC", allowedDomains: [] });
    const changed = await host.diff(id, URN, properties, { slug: "egret-ai", name: "Egret AI Inc", allowedDomains: ["legal"] });

    expect(same.diffs).toEqual(["allowedDomains"]);
    expect(same.detailedDiff).toEqual({ allowedDomains: provproto.PropertyDiff.Kind.ADD });
    expect(changed.detailedDiff).toEqual({
      name: provproto.PropertyDiff.Kind.UPDATE,
      allowedDomains: provproto.PropertyDiff.Kind.ADD,
    });
  });

  it("keeps a secret input secret", async () => {
    const { inputs, failures } = await host.check(URN, {}, { slug: "egret-ai", name: secret("Egret AI Confidential") });
    const created = await host.create(URN, inputs);
    const refreshed = await host.read(created.id, URN, created.properties, inputs);

    expect(failures).toEqual([]);
    expect(isSecret(inputs.name)).toBe(true);
    expect(isSecret(created.properties.name)).toBe(true);
    expect(isSecret(refreshed.properties.name)).toBe(true);
    expect(isSecret(refreshed.inputs?.name)).toBe(true);
    expect(isSecret(created.properties.slug)).toBe(false);
    expect((await control.organization("egret-ai")).name).toBe("Egret AI Confidential");
  });

  it("keeps the adoption record secret", async () => {
    await control.patchOrganization("egret-ai", { name: "Project Nightjar", allowed_domains: ["finance"] });
    const { inputs } = await host.check(URN, {}, {
      slug: "egret-ai",
      name: secret("Project Nightjar"),
      allowedDomains: secret(["legal"]),
    });

    const created = await host.create(URN, inputs);
    const { inputs: renamed } = await host.check(URN, inputs, { slug: "egret-ai", name: secret("Project Heron") });
    const updated = await host.update(created.id, URN, created.properties, renamed, inputs);
    const refreshed = await host.read(created.id, URN, updated.properties, renamed);
    const preview = await host.update(created.id, URN, updated.properties, renamed, renamed, { preview: true });

    for (const [step, properties] of Object.entries({ created, updated, refreshed, preview })) {
      expect(isSecret(properties.properties.adoptedName), step).toBe(true);
      expect(isSecret(properties.properties.adoptedAllowedDomains), step).toBe(true);
      expect(unmarkedHolding(properties.properties, /Nightjar|Heron|finance|legal/), step).toEqual([]);
    }
    expect(isSecret(refreshed.inputs?.name)).toBe(true);
  });

  it("keeps a name secret in state secret", async () => {
    const { inputs } = await host.check(URN, {}, { slug: "egret-ai", name: secret("Project Nightjar") });
    const created = await host.create(URN, inputs);
    const plainInputs = { slug: "egret-ai", name: "Project Nightjar" };

    const refreshed = await host.read(created.id, URN, created.properties, plainInputs);
    const dropped = await host.update(created.id, URN, created.properties, { slug: "egret-ai" }, inputs);
    const imported = await host.read("egret-ai", URN, {}, inputs);

    expect(isSecret(refreshed.properties.name)).toBe(true);
    expect(isSecret(refreshed.inputs?.name)).toBe(true);
    expect(unmarkedHolding(dropped.properties, /Nightjar|Egret AI/)).toEqual([]);
    expect(isSecret(imported.properties.name)).toBe(true);
    expect(isSecret(imported.properties.adoptedName)).toBe(true);
    expect(isSecret(imported.inputs?.name)).toBe(true);
  });

  it("records a failed adoption as partial", async () => {
    await control.addFault({ method: "PATCH", path: "/v1/orgs/egret-ai/", status: 400, body: { name: ["Rejected."] } });
    const { inputs } = await host.check(URN, {}, { slug: "egret-ai", name: "Egret AI LLC" });

    const error = failureOf(await host.create(URN, inputs).catch((caught: unknown) => caught));

    const [details] = error.metadata.get("grpc-status-details-bin");
    const status = statusproto.Status.deserializeBinary(new Uint8Array(details as Buffer));
    const packed = status.getDetailsList()[0];
    expect(packed.getTypeName()).toBe("pulumirpc.ErrorResourceInitFailed");
    const failure = provproto.ErrorResourceInitFailed.deserializeBinary(packed.getValue_asU8());
    expect(failure.getId()).toBe("egret-ai");
    expect(failure.getProperties()?.toJavaScript().adoptedName).toBe("Egret AI");
    expect(failure.getReasonsList()[0]).toContain("400");
  });

  it("ends a readiness wait on Cancel", async () => {
    await control.patchOrganization("egret-ai", { kb_status: "provisioning" });
    await control.clearRequests();
    const { inputs } = await host.check(URN, {}, { slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 3600 });

    const pending = host.create(URN, inputs).catch((caught: unknown) => caught);
    while ((await control.requests()).length === 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await host.cancel();
    const error = failureOf(await pending);

    expect(error.details).toContain("waiting for the knowledge base of organization 'egret-ai' to become 'active' was cancelled");
    const failure = initFailureOf(error);
    expect(failure.getId()).toBe("egret-ai");
    expect(failure.getProperties()?.toJavaScript().kbStatus).toBe("provisioning");
    expect(failure.getProperties()?.toJavaScript().waitForKbActive).toBe(true);
  });

  it("ends a readiness wait at the request timeout", async () => {
    await control.patchOrganization("egret-ai", { kb_status: "provisioning" });
    const { inputs } = await host.check(URN, {}, { slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 3600 });

    const error = failureOf(await host.create(URN, inputs, { timeout: 1 }).catch((caught: unknown) => caught));

    expect(error.details).toContain("still 'provisioning'");
    expect(error.details).toContain("ended by the operation timeout of 1 s set with customTimeouts");
    const failure = initFailureOf(error);
    expect(failure.getId()).toBe("egret-ai");
    const state = failure.getProperties()?.toJavaScript() ?? {};

    const updateError = failureOf(
      await host.update("egret-ai", URN, state, inputs, inputs, { timeout: 1 }).catch((caught: unknown) => caught),
    );

    expect(updateError.details).toContain("ended by the operation timeout of 1 s set with customTimeouts");
    expect(initFailureOf(updateError).getId()).toBe("egret-ai");
  });

  it("warns on the resource about quota", async () => {
    const engine = await FakeEngine.start();
    try {
      const plugin = await startPlugin(engine.address);
      const { args, variables } = engineConfig();
      await plugin.configureProvider(args, variables);
      await control.patchOrganization("egret-ai", { member_count: 5 });

      const { id, inputs, properties } = await adopt(plugin, { slug: "egret-ai" });
      await plugin.read(id, URN, properties, inputs);

      const warnings = engine.messagesOf("warning");
      expect(warnings).toHaveLength(2);
      for (const warning of warnings) {
        expect(warning.urn).toBe(URN);
        expect(warning.message).toContain("organization 'egret-ai' uses at least 90% of its plan limits: members 100% (5 of 5)");
      }
    } finally {
      await engine.close();
    }
  });

  it("rejects an unknown invoke", async () => {
    const error = failureOf(await host.invoke("egret:index:getNothing", {}).catch((caught: unknown) => caught));

    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
    expect(error.details).toContain("unknown function 'egret:index:getNothing'");
  });

  it("rejects prototype names as invokes", async () => {
    for (const token of ["egret:index:toString", "egret:index:constructor", "egret:index:__proto__"]) {
      const error = failureOf(await host.invoke(token, {}).catch((caught: unknown) => caught));

      expect(error.code, token).toBe(grpc.status.UNIMPLEMENTED);
      expect(error.details, token).toContain(`unknown function '${token}'`);
    }
  });

  it("rejects another resource type", async () => {
    const urn = urnOf("egret:index:Team", "main");

    const error = failureOf(await host.check(urn, {}, { slug: "egret-ai" }).catch((caught: unknown) => caught));

    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain("unknown resource type 'egret:index:Team'");
  });
});

describe("package entry", () => {
  let holder: ReturnType<typeof spawn> | undefined;

  afterEach(() => {
    holder?.kill();
    holder = undefined;
  });

  it("loads the library and exits", async () => {
    const script = "const egret = require('@egret/pulumi'); console.error(typeof egret, typeof egret.Organization);";

    const result = await runNode(["-e", script], CONSUMER_DIR);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe("object function");
  });

  it.skipIf(process.platform !== "linux")("opens no port when imported", async () => {
    const script = "require('@egret/pulumi'); process.stdout.write('loaded\\n'); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, ["-e", script], { cwd: CONSUMER_DIR, stdio: ["ignore", "pipe", "inherit"] });
    holder = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`node exited with ${code} before loading the package`)));
    });

    expect(listeningPorts(child.pid as number)).toEqual([]);
    // The same check finds the plugin's port, so an empty list above means no port.
    expect(listeningPorts(host.pid)).toContain(host.port);
  });

  it("gives another plugin the library", async () => {
    const otherPlugin = join(CONSUMER_DIR, "other-plugin");
    mkdirSync(otherPlugin, { recursive: true });
    writeFileSync(join(otherPlugin, "package.json"), JSON.stringify({ name: "other-plugin", main: "index.js" }));
    writeFileSync(
      join(otherPlugin, "index.js"),
      "const egret = require('@egret/pulumi');\n" +
        "module.exports = async () => console.error(typeof egret, typeof egret.Organization);\n",
    );

    const result = await runNode([RUN_PLUGIN(), otherPlugin, "127.0.0.1:1"], PROGRAM_DIR());

    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim()).toBe("object function");
  });
});
