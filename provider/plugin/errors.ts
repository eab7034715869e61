import * as grpc from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { EgretConfigurationError } from "../../sdk";
import { ResourceInitFailure } from "./organization";
import { toStruct } from "./values";

/** An error that has its own gRPC status code, such as UNIMPLEMENTED for an unknown invoke. */
export class StatusError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = "StatusError";
  }
}

/**
 * Packs a ResourceInitFailure into the `grpc-status-details-bin` trailer as the engine reads it
 * (an ErrorResourceInitFailed detail), so the engine records the resource with its properties.
 */
function initFailureMetadata(failure: ResourceInitFailure): grpc.Metadata {
  const detail = new provproto.ErrorResourceInitFailed();
  detail.setId(failure.id);
  detail.setProperties(toStruct(failure.properties));
  detail.setReasonsList(failure.reasons);
  detail.setInputs(toStruct(failure.inputs));

  const packed = new anyproto.Any();
  packed.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
  const status = new statusproto.Status();
  status.setCode(grpc.status.UNKNOWN);
  status.setMessage(failure.message);
  status.addDetails(packed);

  const metadata = new grpc.Metadata();
  metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
  return metadata;
}

function codeOf(error: unknown): grpc.status {
  if (error instanceof StatusError) {
    return error.code;
  }
  if (error instanceof EgretConfigurationError) {
    return grpc.status.FAILED_PRECONDITION;
  }
  return grpc.status.UNKNOWN;
}

/**
 * Converts an error into the status a gRPC handler returns. The message is the error's own:
 * every error of the client and the logic is written to be shown, and none contains the API key.
 */
export function toServiceError(error: unknown): Partial<grpc.StatusObject> {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ResourceInitFailure) {
    return { code: grpc.status.UNKNOWN, details: message, metadata: initFailureMetadata(error) };
  }
  return { code: codeOf(error), details: message };
}
