import * as grpc from "@grpc/grpc-js";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { ProviderContext } from "../context";
import { EngineLog } from "../engine-log";
import { quotaWarning } from "../organization/quota";
import type { ReadinessOptions } from "../organization/readiness";
import type { CheckFailure, OrganizationOutputs } from "../organization/types";
import { FUNCTIONS, PACKAGE_NAME, PACKAGE_VERSION, buildSchema } from "../schema";
import { checkConfig, configureLookup, diffConfig } from "./config";
import { StatusError, toServiceError } from "./errors";
import * as organization from "./organization";
import { fromStruct, revealProperties, toStruct, type Properties } from "./values";

/**
 * The `egret` resource provider: the ResourceProvider gRPC service of the Pulumi engine, served
 * with @pulumi/pulumi's generated stubs. Not `@pulumi/pulumi/provider`'s server, because that
 * server (3.248) returns from Configure without passing the configuration to the provider, so
 * `egret:apiKey` would never arrive.
 *
 * Served: Handshake, Attach, GetPluginInfo, GetSchema, CheckConfig, DiffConfig, Configure,
 * Check, Diff, Create, Read, Update, Delete, Invoke and Cancel. Every other method (Construct,
 * Call, Parameterize, GetMapping, List) gets grpc-js's UNIMPLEMENTED.
 */

type Handler<Request, Response> = (request: Request) => Promise<Response> | Response;

/** Wraps an async handler as a grpc-js unary handler; an error becomes a gRPC status. */
function unary<Request, Response>(handler: Handler<Request, Response>): grpc.handleUnaryCall<Request, Response> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(call.request))
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toServiceError(error)),
      );
  };
}

/** Type token of the resource a request is about: the request's `type`, or the type in its URN. */
function resourceType(request: { getType(): string | undefined; getUrn(): string | undefined }): string {
  const type = request.getType();
  if (type) {
    return type;
  }
  // A URN is `urn:pulumi:<stack>::<project>::<parent types$>type::<name>`.
  const qualified = (request.getUrn() ?? "").split("::")[2] ?? "";
  return qualified.split("$").at(-1) ?? "";
}

function requireOrganization(request: { getType(): string | undefined; getUrn(): string | undefined }): void {
  const type = resourceType(request);
  if (type !== organization.ORGANIZATION_TOKEN) {
    throw new StatusError(
      grpc.status.INVALID_ARGUMENT,
      `unknown resource type '${type}': the ${PACKAGE_NAME} provider serves only ${organization.ORGANIZATION_TOKEN}`,
    );
  }
}

function checkResponse(inputs: Record<string, unknown>, failures: CheckFailure[]): provproto.CheckResponse {
  const response = new provproto.CheckResponse();
  response.setInputs(toStruct(inputs));
  response.setFailuresList(
    failures.map((failure) => {
      const entry = new provproto.CheckFailure();
      entry.setProperty(failure.property);
      entry.setReason(failure.reason);
      return entry;
    }),
  );
  return response;
}

/** Detailed-diff kinds of an update that starts or stops setting a property. */
const ADD_OR_DELETE = { add: provproto.PropertyDiff.Kind.ADD, delete: provproto.PropertyDiff.Kind.DELETE } as const;

function diffResponse(result: organization.OrganizationDiff): provproto.DiffResponse {
  const response = new provproto.DiffResponse();
  response.setChanges(result.changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
  response.setReplacesList(result.replaces);
  response.setDiffsList([...result.replaces, ...result.updates]);
  response.setDeletebeforereplace(false);

  const detailed = response.getDetaileddiffMap();
  const setKind = (name: string, kind: provproto.PropertyDiff.Kind) => {
    const entry = new provproto.PropertyDiff();
    entry.setKind(kind);
    entry.setInputdiff(true);
    detailed.set(name, entry);
  };
  for (const name of result.replaces) {
    setKind(name, provproto.PropertyDiff.Kind.UPDATE_REPLACE);
  }
  for (const name of result.updates) {
    const kind = result.kinds?.[name];
    setKind(name, kind === undefined ? provproto.PropertyDiff.Kind.UPDATE : ADD_OR_DELETE[kind]);
  }
  response.setHasdetaileddiff(true);
  return response;
}

/**
 * Builds the handlers of the ResourceProvider service, sharing one ProviderContext.
 * `engineAddress` is where warnings go (the engine's Log service); Handshake and Attach replace it.
 */
export function createHandlers(
  context = new ProviderContext(),
  engineAddress?: string,
): grpc.UntypedServiceImplementation {
  const client = () => context.getClient();
  let engineLog = new EngineLog(engineAddress);

  const useEngine = (address: string) => {
    if (address !== "" && address !== engineLog.address) {
      engineLog.close();
      engineLog = new EngineLog(address);
    }
  };

  /** Controllers of the creates and updates in progress; Cancel aborts them all. */
  const inProgress = new Set<AbortController>();

  /**
   * Runs a create or update with a signal that Cancel aborts, and with the request's `timeout`
   * (the resource's customTimeouts value in seconds, 0 when none is set) as a cap on its
   * readiness wait.
   */
  const cancellable = async <T>(timeoutSeconds: number, operation: (options: ReadinessOptions) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    const options: ReadinessOptions = { signal: controller.signal };
    if (timeoutSeconds > 0) {
      options.operationTimeout = { seconds: timeoutSeconds, deadline: Date.now() + timeoutSeconds * 1000 };
    }
    inProgress.add(controller);
    try {
      return await operation(options);
    } finally {
      inProgress.delete(controller);
    }
  };

  /** Warns, on the resource, when the organization uses `quotaWarningPercent` of a plan limit. */
  const warnOnQuota = async (properties: Properties, urn: string) => {
    const outputs = revealProperties(properties).values as unknown as OrganizationOutputs;
    const warning = quotaWarning(outputs, outputs.quotaWarningPercent);
    if (warning !== undefined) {
      await engineLog.warn(warning, urn);
    }
  };

  return {
    handshake: unary((request: provproto.ProviderHandshakeRequest) => {
      useEngine(request.getEngineAddress());
      const response = new provproto.ProviderHandshakeResponse();
      response.setAcceptSecrets(true);
      response.setAcceptResources(false);
      response.setAcceptOutputs(false);
      return response;
    }),

    attach: unary((request: plugproto.PluginAttach) => {
      useEngine(request.getAddress());
      return new emptyproto.Empty();
    }),

    getPluginInfo: unary((_request: emptyproto.Empty) => {
      const info = new plugproto.PluginInfo();
      info.setVersion(PACKAGE_VERSION);
      return info;
    }),

    getSchema: unary((request: provproto.GetSchemaRequest) => {
      if (request.getSubpackageName() !== "") {
        throw new StatusError(grpc.status.NOT_FOUND, `the ${PACKAGE_NAME} provider has no subpackage '${request.getSubpackageName()}'`);
      }
      const response = new provproto.GetSchemaResponse();
      response.setSchema(JSON.stringify(buildSchema()));
      return response;
    }),

    checkConfig: unary((request: provproto.CheckRequest) => {
      const { inputs, failures } = checkConfig(fromStruct(request.getNews()));
      return checkResponse(inputs, failures);
    }),

    diffConfig: unary((request: provproto.DiffRequest) => {
      const olds = request.hasOldInputs() ? fromStruct(request.getOldInputs()) : fromStruct(request.getOlds());
      const changed = diffConfig(olds, fromStruct(request.getNews()));
      return diffResponse({ changes: changed.length > 0, updates: changed, replaces: [] });
    }),

    configure: unary((request: provproto.ConfigureRequest) => {
      const variables = new Map(request.getVariablesMap().getEntryList());
      context.configure(configureLookup(fromStruct(request.getArgs()), variables));
      // Building the client now fails Configure on a missing or malformed key, so that a preview,
      // which sends no request, reports it too. A key from EGRET_API_KEY counts.
      context.getClient();

      const response = new provproto.ConfigureResponse();
      response.setAcceptsecrets(true);
      response.setSupportspreview(true);
      response.setAcceptresources(false);
      response.setAcceptoutputs(false);
      return response;
    }),

    check: unary((request: provproto.CheckRequest) => {
      requireOrganization(request);
      context.throwConfigureError();
      const { inputs, failures } = organization.check(fromStruct(request.getNews()));
      return checkResponse(inputs, failures);
    }),

    diff: unary((request: provproto.DiffRequest) => {
      requireOrganization(request);
      context.throwConfigureError();
      return diffResponse(organization.diff(fromStruct(request.getOlds()), fromStruct(request.getNews())));
    }),

    create: unary(async (request: provproto.CreateRequest) => {
      requireOrganization(request);
      const created = await cancellable(request.getTimeout(), (options) =>
        organization.create(client, fromStruct(request.getProperties()), request.getPreview(), options),
      );
      if (!request.getPreview()) {
        await warnOnQuota(created.properties, request.getUrn());
      }
      const response = new provproto.CreateResponse();
      response.setId(created.id);
      response.setProperties(toStruct(created.properties));
      return response;
    }),

    read: unary(async (request: provproto.ReadRequest) => {
      requireOrganization(request);
      const found = await organization.read(client, request.getId(), fromStruct(request.getProperties()), fromStruct(request.getInputs()));
      if (found.id !== "") {
        await warnOnQuota(found.properties, request.getUrn());
      }
      const response = new provproto.ReadResponse();
      response.setId(found.id);
      response.setProperties(toStruct(found.properties));
      if (found.inputs !== undefined) {
        response.setInputs(toStruct(found.inputs));
      }
      return response;
    }),

    update: unary(async (request: provproto.UpdateRequest) => {
      requireOrganization(request);
      const properties = await cancellable(request.getTimeout(), (options) =>
        organization.update(client, fromStruct(request.getOlds()), fromStruct(request.getNews()), request.getPreview(), options),
      );
      if (!request.getPreview()) {
        await warnOnQuota(properties, request.getUrn());
      }
      const response = new provproto.UpdateResponse();
      response.setProperties(toStruct(properties));
      return response;
    }),

    delete: unary(async (request: provproto.DeleteRequest) => {
      requireOrganization(request);
      await organization.remove(client, fromStruct(request.getProperties()));
      return new emptyproto.Empty();
    }),

    invoke: unary(async (request: provproto.InvokeRequest) => {
      const token = request.getTok();
      const prefix = `${PACKAGE_NAME}:index:`;
      const name = token.slice(prefix.length);
      const fn = token.startsWith(prefix) && Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
      if (fn === undefined) {
        throw new StatusError(grpc.status.UNIMPLEMENTED, `unknown function '${token}': the ${PACKAGE_NAME} provider ${PACKAGE_VERSION} has no such function`);
      }
      const result = await fn.invoke(context.getClient(), revealProperties(fromStruct(request.getArgs())).values);
      const response = new provproto.InvokeResponse();
      response.setReturn(toStruct(result));
      return response;
    }),

    // Aborts every readiness wait in progress, status check included: its create or update fails
    // at once with a cancelled error and keeps the adoption. The adopting GET and PATCH are not
    // aborted, because the client takes no signal; they end within egret:deadlineMs.
    cancel: unary((_request: emptyproto.Empty) => {
      for (const controller of inProgress) {
        controller.abort();
      }
      return new emptyproto.Empty();
    }),
  };
}

/**
 * Starts the provider's gRPC server on a free loopback port and prints the port as the first
 * line of stdout, which is how the engine learns where to connect. The server keeps the process
 * alive until the engine stops it.
 */
export async function servePlugin(engineAddress?: string): Promise<grpc.Server> {
  const server = new grpc.Server();
  server.addService(provrpc.ResourceProviderService, createHandlers(new ProviderContext(), engineAddress));

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  process.stdout.write(`${port}\n`);
  return server;
}
