// The processes the bench drives. The emulator runs as its own process, so its work never shares
// an event loop with the timing code. The dynamic provider host is started as the Pulumi engine
// starts it and driven over gRPC, as test/helpers/provider-process.ts does.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const grpc = require("@grpc/grpc-js");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const { request } = require("undici");
const { ROOT } = require("./consumer");

/** Maximum wait for a child process to print its address, in ms. */
const START_TIMEOUT_MS = 60_000;

/** Resolves with the first match of `pattern` in the child's stdout; rejects if it exits first. */
function waitForLine(child, pattern, name) {
  return new Promise((resolve, reject) => {
    let buffer = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`${name} printed nothing matching ${pattern} within ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
    const onStderr = (chunk) => (stderr += chunk.toString());
    const onData = (chunk) => {
      buffer += chunk.toString();
      const match = pattern.exec(buffer);
      if (match) {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        child.stderr.off("data", onStderr);
        child.off("exit", onExit);
        resolve(match);
      }
    };
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready: ${stderr}`));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onStderr);
    child.once("exit", onExit);
  });
}

/** Sends SIGTERM to a child and resolves when it has exited. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  return exited;
}

/** The emulator process and a client of its control endpoints. */
class Emulator {
  constructor(child, url) {
    this.child = child;
    this.url = url;
  }

  static async start() {
    const child = spawn(process.execPath, [path.join(ROOT, "dist/sdk/emulator/cli.js"), "--port", "0"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const match = await waitForLine(child, /listening on (http:\/\/\S+)/, "the emulator");
    // Drain output so a full pipe never blocks the emulator.
    child.stdout.resume();
    child.stderr.resume();
    return new Emulator(child, match[1]);
  }

  async control(method, route, body) {
    const response = await request(`${this.url}/_emulator/${route}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode >= 300) {
      throw new Error(`emulator control ${method} ${route} failed with ${response.statusCode}: ${text}`);
    }
    return text === "" ? undefined : JSON.parse(text);
  }

  /** Replaces the data with `seed` (the built-in demo data when undefined); turns throttling off. */
  reset(seed) {
    return this.control("POST", "reset", seed);
  }

  /** Sets the rate limit per key in requests per second, or turns it off with null. */
  throttle(rate) {
    return this.control("POST", "throttle", { rate });
  }

  requests() {
    return this.control("GET", "requests");
  }

  clearRequests() {
    return this.control("DELETE", "requests");
  }

  close() {
    return stopChild(this.child);
  }
}

function struct(value) {
  return structproto.Struct.fromJavaScript(value);
}

/**
 * A dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`) from the consumer project,
 * driven over gRPC. `spawnedAt` is the `performance.now()` just before the spawn.
 */
class ProviderHost {
  constructor(child, client, spawnedAt) {
    this.child = child;
    this.client = client;
    this.spawnedAt = spawnedAt;
    this.output = [];
    child.stdout.on("data", (chunk) => this.output.push(chunk.toString()));
    child.stderr.on("data", (chunk) => this.output.push(chunk.toString()));
  }

  /**
   * Spawns the host with the consumer project as its working directory, as the engine does with
   * the program's directory. The engine address is a loopback port that nothing listens on,
   * because the host does not need the engine to serve requests.
   */
  static async start(consumerDir) {
    const script = path.join(consumerDir, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js");
    const spawnedAt = performance.now();
    const child = spawn(process.execPath, [script, "127.0.0.1:1"], {
      cwd: consumerDir,
      env: { ...process.env, EGRET_API_KEY: "", EGRET_API_URL: "", EGRET_LOG: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const match = await waitForLine(child, /^\s*(\d+)\s*$/m, "the dynamic provider host");
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${match[1]}`, grpc.credentials.createInsecure());
    return new ProviderHost(child, client, spawnedAt);
  }

  get pid() {
    return this.child.pid;
  }

  call(method, message) {
    return new Promise((resolve, reject) => {
      this.client[method](message, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }

  async configure(variables) {
    const message = new provproto.ConfigureRequest();
    message.setArgs(struct(variables));
    for (const [key, value] of Object.entries(variables)) {
      message.getVariablesMap().set(key, String(value));
    }
    message.setAcceptsecrets(true);
    message.setAcceptresources(true);
    await this.call("configure", message);
  }

  async check(urn, olds, news) {
    const message = new provproto.CheckRequest();
    message.setUrn(urn);
    message.setOlds(struct(olds));
    message.setNews(struct(news));
    const response = await this.call("check", message);
    return {
      inputs: response.getInputs()?.toJavaScript() ?? {},
      failures: response.getFailuresList().map((failure) => ({ property: failure.getProperty(), reason: failure.getReason() })),
    };
  }

  async diff(id, urn, olds, news) {
    const message = new provproto.DiffRequest();
    message.setId(id);
    message.setUrn(urn);
    message.setOlds(struct(olds));
    message.setNews(struct(news));
    const response = await this.call("diff", message);
    return { changes: response.getChanges(), replaces: response.getReplacesList() };
  }

  async create(urn, properties) {
    const message = new provproto.CreateRequest();
    message.setUrn(urn);
    message.setProperties(struct(properties));
    const response = await this.call("create", message);
    return { id: response.getId(), properties: response.getProperties()?.toJavaScript() ?? {} };
  }

  async read(id, urn, properties) {
    const message = new provproto.ReadRequest();
    message.setId(id);
    message.setUrn(urn);
    message.setProperties(struct(properties));
    const response = await this.call("read", message);
    return { id: response.getId(), properties: response.getProperties()?.toJavaScript() ?? {} };
  }

  async update(id, urn, olds, news) {
    const message = new provproto.UpdateRequest();
    message.setId(id);
    message.setUrn(urn);
    message.setOlds(struct(olds));
    message.setNews(struct(news));
    const response = await this.call("update", message);
    return { properties: response.getProperties()?.toJavaScript() ?? {} };
  }

  async delete(id, urn, properties) {
    const message = new provproto.DeleteRequest();
    message.setId(id);
    message.setUrn(urn);
    message.setProperties(struct(properties));
    await this.call("delete", message);
  }

  /** Returns the host's peak resident set size (VmHWM) in bytes, read from /proc. */
  peakMemoryBytes() {
    const status = fs.readFileSync(`/proc/${this.child.pid}/status`, "utf8");
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    if (match === null) {
      throw new Error(`no VmHWM line in /proc/${this.child.pid}/status`);
    }
    return Number(match[1]) * 1024;
  }

  async close() {
    this.client.close();
    await stopChild(this.child);
  }
}

/** URN of a resource in the bench stack. */
function urnOf(type, name) {
  return `urn:pulumi:bench::egret-bench::${type}::${name}`;
}

module.exports = { Emulator, ProviderHost, urnOf };
