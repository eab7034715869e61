import { createRequire } from "node:module";
import type * as grpcTypes from "@grpc/grpc-js";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engproto from "@pulumi/pulumi/proto/engine_pb";

/**
 * Messages from a provider process to the person running Pulumi.
 *
 * The engine starts every resource provider with the address of its Engine gRPC service as the
 * last command-line argument. A `Log` call on that service is how a provider shows a warning
 * in the `pulumi up` and `pulumi refresh` output. The warning is attached to a resource when
 * the call carries its URN. Neither face gets that for free. The dynamic provider host
 * (`@pulumi/pulumi/cmd/dynamic-provider`, 3.248) checks that the address is there but never
 * connects to it, so `pulumi.log.warn` in a dynamic provider falls back to `console.warn`.
 * `@pulumi/pulumi/provider` connects only for Construct and Call. So this module dials the
 * address itself. When that fails, the message goes to stderr: the CLI shows stderr lines of
 * the dynamic provider host as plain output, not as a warning, and hides those of other plugins
 * unless the plugin crashes (sdk/go/common/resource/plugin/plugin.go in pulumi/pulumi; the
 * dynamic host's lines are shown again since pulumi/pulumi#18253, January 2025).
 */

// The grpc-js instance that @pulumi/pulumi's generated clients use, because credentials made by
// another copy of grpc-js fail its type checks. Resolved from @pulumi/pulumi's own location.
const grpc = createRequire(require.resolve("@pulumi/pulumi/package.json"))("@grpc/grpc-js") as typeof grpcTypes;

/**
 * Limit on one Log call to the engine, connecting included, in milliseconds. Create, update and
 * read wait for their warning before they reply, so an engine that accepts the connection but
 * never replies delays each of them by this much at most.
 */
const LOG_TIMEOUT_MS = 2_000;

/** Severity of a message, as the engine's `LogSeverity` names them. */
export type LogSeverity = "debug" | "info" | "warning" | "error";

const SEVERITIES: Record<LogSeverity, engproto.LogSeverity> = {
  debug: engproto.LogSeverity.DEBUG,
  info: engproto.LogSeverity.INFO,
  warning: engproto.LogSeverity.WARNING,
  error: engproto.LogSeverity.ERROR,
};

/**
 * Returns the engine address from a provider's command-line arguments (the last one), or
 * undefined when the last argument is not `host:port`. The engine passes flags such as
 * `--logtostderr` or `--tracing <endpoint>` before it. An address of the form `:port`, which
 * older engines sent, means the loopback host.
 */
export function engineAddressFromArgs(args: readonly string[]): string | undefined {
  const last = args.at(-1);
  if (last === undefined || last.startsWith("-") || !/^[^\s/]*:\d{1,5}$/.test(last)) {
    return undefined;
  }
  return last.startsWith(":") ? `127.0.0.1${last}` : last;
}

/** Describes why a Log call failed; a timeout names the limit in place of grpc-js's timings. */
function failureReason(error: unknown): string {
  if ((error as Partial<grpcTypes.ServiceError>).code === grpc.status.DEADLINE_EXCEEDED) {
    return `no reply within ${LOG_TIMEOUT_MS / 1000} s`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Sends messages to the Pulumi engine's Log service, or to stderr when it cannot. */
export class EngineLog {
  private client?: engrpc.EngineClient;

  /**
   * @param address The engine's `host:port`; undefined sends every message to stderr.
   * @param writeStderr Receives the stderr fallback lines; default `process.stderr.write`.
   */
  constructor(
    readonly address: string | undefined,
    private readonly writeStderr: (line: string) => void = (line) => process.stderr.write(line),
  ) {}

  /** Shows a warning; `urn` attaches it to that resource, an empty URN shows it for the whole stack. */
  warn(message: string, urn = ""): Promise<void> {
    return this.log("warning", message, urn);
  }

  /**
   * Sends one message. Never raises: when sending to the engine fails, the message is written
   * to stderr as `<severity>: <message>`, followed by the reason.
   */
  async log(severity: LogSeverity, message: string, urn = ""): Promise<void> {
    if (this.address === undefined) {
      this.writeStderr(`${severity}: ${message}\n`);
      return;
    }
    try {
      await this.send(severity, message, urn);
    } catch (error) {
      const reason = failureReason(error);
      this.writeStderr(`${severity}: ${message}\n(sending this message to the Pulumi engine at ${this.address} failed: ${reason})\n`);
    }
  }

  /** Closes the connection to the engine, if one was opened. */
  close(): void {
    this.client?.close();
    this.client = undefined;
  }

  private send(severity: LogSeverity, message: string, urn: string): Promise<void> {
    this.client ??= new engrpc.EngineClient(this.address as string, grpc.credentials.createInsecure());
    const request = new engproto.LogRequest();
    request.setSeverity(SEVERITIES[severity]);
    request.setMessage(message);
    request.setUrn(urn);
    request.setEphemeral(false);

    const client = this.client;
    return new Promise((resolve, reject) => {
      client.log(request, new grpc.Metadata(), { deadline: Date.now() + LOG_TIMEOUT_MS }, (error) =>
        error ? reject(error) : resolve(),
      );
    });
  }
}
