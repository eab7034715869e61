import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";

/** One Log request the fake engine received. */
export interface LoggedMessage {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
  ephemeral: boolean;
}

const SEVERITY_NAMES: Record<number, LoggedMessage["severity"]> = {
  [engproto.LogSeverity.DEBUG]: "debug",
  [engproto.LogSeverity.INFO]: "info",
  [engproto.LogSeverity.WARNING]: "warning",
  [engproto.LogSeverity.ERROR]: "error",
};

/**
 * The Pulumi engine's Engine gRPC service, as far as a provider uses it: Log requests are
 * recorded in arrival order, and the other methods return UNIMPLEMENTED. Providers await their
 * Log calls before they respond, so a message is recorded by the time the provider's response arrives. Listens on a loopback port chosen by the system; pass `address`
 * to a provider process as its engine argument.
 */
export class FakeEngine {
  readonly messages: LoggedMessage[] = [];

  private constructor(
    private readonly server: grpc.Server,
    readonly address: string,
  ) {}

  static async start(): Promise<FakeEngine> {
    const server = new grpc.Server();
    let engine: FakeEngine | undefined;
    server.addService(engrpc.EngineService, {
      log(call: grpc.ServerUnaryCall<engproto.LogRequest, emptyproto.Empty>, callback: grpc.sendUnaryData<emptyproto.Empty>) {
        const request = call.request;
        engine?.messages.push({
          severity: SEVERITY_NAMES[request.getSeverity()] ?? "info",
          message: request.getMessage(),
          urn: request.getUrn(),
          ephemeral: request.getEphemeral(),
        });
        callback(null, new emptyproto.Empty());
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    engine = new FakeEngine(server, `127.0.0.1:${port}`);
    return engine;
  }

  /** Returns the messages of one severity. */
  messagesOf(severity: LoggedMessage["severity"]): LoggedMessage[] {
    return this.messages.filter((message) => message.severity === severity);
  }

  clear(): void {
    this.messages.length = 0;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
