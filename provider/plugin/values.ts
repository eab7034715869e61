import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { UNKNOWN } from "../organization/check";

/**
 * Property values as they cross the provider's gRPC interface. The engine marks a secret as an
 * object holding the signature key below with the secret signature, and sends an input that is
 * not known yet (during a preview) as the string UNKNOWN. Constants from the engine's wire
 * format (`runtime/rpc.js` of @pulumi/pulumi 3.248).
 */

/** Key that marks an object as a special value. */
export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** Signature of a secret: `{ [SIGNATURE_KEY]: SECRET_SIGNATURE, value }`. */
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

export { UNKNOWN };

export type Properties = Record<string, unknown>;

interface SecretValue {
  [SIGNATURE_KEY]: typeof SECRET_SIGNATURE;
  value: unknown;
}

export function isSecret(value: unknown): value is SecretValue {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE
  );
}

/** Wraps a value as a secret. */
export function secret(value: unknown): SecretValue {
  return { [SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/** Returns the value with every secret, at any depth, replaced by the value it holds. */
export function reveal(value: unknown): unknown {
  if (isSecret(value)) {
    return reveal(value.value);
  }
  if (Array.isArray(value)) {
    return value.map(reveal);
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item)]));
  }
  return value;
}

function containsSecret(value: unknown): boolean {
  if (isSecret(value)) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsSecret);
  }
  if (typeof value === "object" && value !== null) {
    return Object.values(value).some(containsSecret);
  }
  return false;
}

/**
 * Splits properties into plain values and the names of the top-level properties that contained
 * a secret, so the Organization logic gets plain values and the results can be marked again.
 */
export function revealProperties(properties: Properties): { values: Properties; secretNames: Set<string> } {
  const secretNames = new Set(Object.keys(properties).filter((name) => containsSecret(properties[name])));
  return { values: reveal(properties) as Properties, secretNames };
}

/**
 * Marks the named top-level properties as secrets, as the engine itself does for providers that
 * take no secrets: a property is secret in the result when it held a secret in the request.
 */
export function concealProperties(properties: Properties, secretNames: ReadonlySet<string>): Properties {
  const result: Properties = { ...properties };
  for (const name of secretNames) {
    if (name in result && !isSecret(result[name])) {
      result[name] = secret(result[name]);
    }
  }
  return result;
}

/** Checks whether the value is unknown or contains an unknown value at any depth. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) {
    return true;
  }
  if (Array.isArray(value)) {
    return value.some(containsUnknown);
  }
  if (typeof value === "object" && value !== null) {
    return Object.values(value).some(containsUnknown);
  }
  return false;
}

/** Reads a Struct into plain JavaScript; a missing Struct reads as an empty object. */
export function fromStruct(struct: structproto.Struct | undefined): Properties {
  return (struct?.toJavaScript() ?? {}) as Properties;
}

/** Builds a Struct; properties whose value is undefined are left out, as JSON leaves them out. */
export function toStruct(properties: object): structproto.Struct {
  const plain = JSON.parse(JSON.stringify(properties)) as Record<string, structproto.JavaScriptValue>;
  return structproto.Struct.fromJavaScript(plain);
}
