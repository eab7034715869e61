import { join } from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import { CONSUMER_DIR } from "./consumer";

/**
 * A provider process started as the Pulumi engine starts one, driven over gRPC: the dynamic
 * provider host, or the plugin started by run-plugin. The engine address passed on the command
 * line is a loopback port that nothing listens on; these hosts do not dial it to serve requests.
 */
export class ProviderProcess {
  readonly stderr: string[] = [];
  readonly stdout: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly client: provrpc.ResourceProviderClient,
    /** Loopback port the provider printed and listens on. */
    readonly port: number,
  ) {}

  /** Process ID of the provider. */
  get pid(): number {
    return this.child.pid as number;
  }

  /** Spawns `command` in `cwd` and connects to the port it prints on its first stdout line. */
  static async start(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ProviderProcess> {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const stderr: string[] = [];
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));

    const port = await new Promise<number>((resolve, reject) => {
      let buffer = "";
      const onData = (chunk: Buffer) => {
        buffer += chunk.toString();
        const match = /^\s*(\d+)\s*$/m.exec(buffer);
        if (match) {
          child.stdout!.off("data", onData);
          resolve(Number(match[1]));
        }
      };
      child.stdout!.on("data", onData);
      child.once("exit", (code) =>
        reject(new Error(`provider exited with ${code} before printing its port: ${stderr.join("")}`)),
      );
      setTimeout(() => reject(new Error(`provider printed no port within 60 s: ${stderr.join("")}`)), 60_000).unref();
    });

    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const started = new ProviderProcess(child, client, port);
    started.stderr.push(...stderr);
    child.stderr!.on("data", (chunk: Buffer) => started.stderr.push(chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => started.stdout.push(chunk.toString()));
    return started;
  }

  private call<Req, Res>(method: string, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
      const fn = (this.client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[method];
      fn.call(this.client, request, (error, response) => (error ? reject(error) : resolve(response)));
    });
  }

  async configure(variables: Record<string, unknown>, options: { acceptSecrets?: boolean } = {}) {
    const request = new provproto.ConfigureRequest();
    request.setArgs(structproto.Struct.fromJavaScript(variables as Record<string, structproto.JavaScriptValue>));
    for (const [key, value] of Object.entries(variables)) {
      if (typeof value === "string") {
        request.getVariablesMap().set(key, value);
      }
    }
    request.setAcceptsecrets(options.acceptSecrets ?? true);
    request.setAcceptresources(true);
    const response = await this.call<provproto.ConfigureRequest, provproto.ConfigureResponse>("configure", request);
    return { acceptSecrets: response.getAcceptsecrets() };
  }

  /**
   * Sends Configure as the engine sends it to a schema-based provider: `args` keyed by property
   * name (`apiKey`, secrets marked), `variables` keyed `<package>:config:<name>` as strings.
   */
  async configureProvider(args: Record<string, unknown>, variables: Record<string, string> = {}) {
    const request = new provproto.ConfigureRequest();
    request.setArgs(struct(args));
    for (const [key, value] of Object.entries(variables)) {
      request.getVariablesMap().set(key, value);
    }
    request.setAcceptsecrets(true);
    request.setAcceptresources(true);
    const response = await this.call<provproto.ConfigureRequest, provproto.ConfigureResponse>("configure", request);
    return { acceptSecrets: response.getAcceptsecrets(), supportsPreview: response.getSupportspreview() };
  }

  async checkConfig(urn: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const request = new provproto.CheckRequest();
    request.setUrn(urn);
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    const response = await this.call<provproto.CheckRequest, provproto.CheckResponse>("checkConfig", request);
    return {
      inputs: response.getInputs()?.toJavaScript() ?? {},
      failures: response.getFailuresList().map((failure) => ({ property: failure.getProperty(), reason: failure.getReason() })),
    };
  }

  async diffConfig(urn: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const request = new provproto.DiffRequest();
    request.setUrn(urn);
    request.setOlds(struct(olds));
    request.setOldInputs(struct(olds));
    request.setNews(struct(news));
    const response = await this.call<provproto.DiffRequest, provproto.DiffResponse>("diffConfig", request);
    return {
      changes: response.getChanges() === provproto.DiffResponse.DiffChanges.DIFF_SOME ? "some" : "none",
      replaces: response.getReplacesList(),
      diffs: response.getDiffsList(),
    };
  }

  async handshake(engineAddress: string) {
    const request = new provproto.ProviderHandshakeRequest();
    request.setEngineAddress(engineAddress);
    const response = await this.call<provproto.ProviderHandshakeRequest, provproto.ProviderHandshakeResponse>("handshake", request);
    return { acceptSecrets: response.getAcceptSecrets(), acceptResources: response.getAcceptResources() };
  }

  async invoke(token: string, args: Record<string, unknown>) {
    const request = new provproto.InvokeRequest();
    request.setTok(token);
    request.setArgs(struct(args));
    const response = await this.call<provproto.InvokeRequest, provproto.InvokeResponse>("invoke", request);
    return { return: response.getReturn()?.toJavaScript() ?? {} };
  }

  async check(urn: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const request = new provproto.CheckRequest();
    request.setUrn(urn);
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    const response = await this.call<provproto.CheckRequest, provproto.CheckResponse>("check", request);
    return {
      inputs: response.getInputs()?.toJavaScript() ?? {},
      failures: response.getFailuresList().map((failure) => ({ property: failure.getProperty(), reason: failure.getReason() })),
    };
  }

  async diff(id: string, urn: string, olds: Record<string, unknown>, news: Record<string, unknown>, oldInputs?: Record<string, unknown>) {
    const request = new provproto.DiffRequest();
    request.setId(id);
    request.setUrn(urn);
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    if (oldInputs) {
      request.setOldInputs(struct(oldInputs));
    }
    const response = await this.call<provproto.DiffRequest, provproto.DiffResponse>("diff", request);
    const changes = response.getChanges();
    return {
      changes:
        changes === provproto.DiffResponse.DiffChanges.DIFF_SOME
          ? "some"
          : changes === provproto.DiffResponse.DiffChanges.DIFF_NONE
            ? "none"
            : "unknown",
      replaces: response.getReplacesList(),
      diffs: response.getDiffsList(),
      detailedDiff: response.getHasdetaileddiff() ? detailedDiffOf(response) : undefined,
    };
  }

  /** Sends Create; `timeout` is the operation timeout in seconds, as the engine sends a customTimeouts value. */
  async create(urn: string, properties: Record<string, unknown>, options: { preview?: boolean; timeout?: number } = {}) {
    const request = new provproto.CreateRequest();
    request.setUrn(urn);
    request.setProperties(struct(properties));
    request.setPreview(options.preview ?? false);
    request.setTimeout(options.timeout ?? 0);
    const response = await this.call<provproto.CreateRequest, provproto.CreateResponse>("create", request);
    return { id: response.getId(), properties: response.getProperties()?.toJavaScript() ?? {} };
  }

  async read(id: string, urn: string, properties: Record<string, unknown>, inputs?: Record<string, unknown>) {
    const request = new provproto.ReadRequest();
    request.setId(id);
    request.setUrn(urn);
    request.setProperties(struct(properties));
    if (inputs) {
      request.setInputs(struct(inputs));
    }
    const response = await this.call<provproto.ReadRequest, provproto.ReadResponse>("read", request);
    return {
      id: response.getId(),
      properties: response.getProperties()?.toJavaScript() ?? {},
      inputs: response.getInputs()?.toJavaScript(),
    };
  }

  async update(
    id: string,
    urn: string,
    olds: Record<string, unknown>,
    news: Record<string, unknown>,
    oldInputs?: Record<string, unknown>,
    options: { preview?: boolean; timeout?: number } = {},
  ) {
    const request = new provproto.UpdateRequest();
    request.setId(id);
    request.setUrn(urn);
    request.setOlds(struct(olds));
    request.setNews(struct(news));
    request.setPreview(options.preview ?? false);
    request.setTimeout(options.timeout ?? 0);
    if (oldInputs) {
      request.setOldInputs(struct(oldInputs));
    }
    const response = await this.call<provproto.UpdateRequest, provproto.UpdateResponse>("update", request);
    return { properties: response.getProperties()?.toJavaScript() ?? {} };
  }

  async delete(id: string, urn: string, properties: Record<string, unknown>, oldInputs?: Record<string, unknown>) {
    const request = new provproto.DeleteRequest();
    request.setId(id);
    request.setUrn(urn);
    request.setProperties(struct(properties));
    if (oldInputs) {
      request.setOldInputs(struct(oldInputs));
    }
    await this.call<provproto.DeleteRequest, emptyproto.Empty>("delete", request);
  }

  /** Sends Cancel, which requests that the provider abort its operations in progress. */
  async cancel(): Promise<void> {
    await this.call<emptyproto.Empty, emptyproto.Empty>("cancel", new emptyproto.Empty());
  }

  async getSchema(): Promise<string> {
    const request = new provproto.GetSchemaRequest();
    const response = await this.call<provproto.GetSchemaRequest, provproto.GetSchemaResponse>("getSchema", request);
    return response.getSchema();
  }

  async getPluginInfo(): Promise<string> {
    const response = await this.call<emptyproto.Empty, plugproto.PluginInfo>("getPluginInfo", new emptyproto.Empty());
    return response.getVersion();
  }

  /** Everything the process wrote to stdout and stderr so far. */
  output(): string {
    return this.stdout.join("") + this.stderr.join("");
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      this.child.kill("SIGTERM");
      await exited;
    }
  }
}

/** Returns the detailed diff of a Diff response: property name to kind (`provproto.PropertyDiff.Kind`). */
function detailedDiffOf(response: provproto.DiffResponse): Record<string, provproto.PropertyDiff.Kind> {
  const kinds: Record<string, provproto.PropertyDiff.Kind> = {};
  response.getDetaileddiffMap().forEach((entry, key) => {
    kinds[key] = entry.getKind();
  });
  return kinds;
}

function struct(value: Record<string, unknown>): structproto.Struct {
  return structproto.Struct.fromJavaScript(value as Record<string, structproto.JavaScriptValue>);
}

/**
 * Starts the dynamic provider host (`@pulumi/pulumi/cmd/dynamic-provider`, the process
 * `pulumi up` starts for a TypeScript program) in the consumer project that installed the
 * packed package. By default the environment carries no Egret key or URL, so only Configure
 * can supply them.
 */
export function startDynamicHost(
  options: { engineAddress?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ProviderProcess> {
  return ProviderProcess.start(
    process.execPath,
    [join(CONSUMER_DIR, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"), options.engineAddress ?? "127.0.0.1:1"],
    { cwd: CONSUMER_DIR, env: options.env ?? { EGRET_API_KEY: "", EGRET_API_URL: "" } },
  );
}

/** URN of a resource in a test stack. */
export function urnOf(type: string, name: string): string {
  return `urn:pulumi:test::egret-test::${type}::${name}`;
}
