/**
 * Queued faults: scripted failures that replace the emulated service's response to matching API
 * requests, as a broken proxy or network would.
 */

import { STATUS_CODES, validateHeaderName, validateHeaderValue } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Maximum delay of a fault, in ms (10 minutes). */
export const MAX_FAULT_DELAY_MS = 600_000;

/** Status of a fault that gives none. */
export const DEFAULT_FAULT_STATUS = 503;

/** A queued fault, as `POST /_emulator/faults` returns it. */
export interface Fault {
  /** Sequence number, starting at 1 after each reset. */
  id: number;
  /** Request method to match in upper case, or null for any method. */
  method: string | null;
  /** Request path to match exactly, without the query string, or null for any path. */
  path: string | null;
  /** Response status. */
  status: number;
  /** Extra response headers. A `Content-Type` here replaces the default one. */
  headers: Record<string, string>;
  /** Response body: a string is sent as is, any other JSON value as JSON, null as `{"detail": "<reason phrase>"}`. */
  body: unknown;
  /** Wait before sending the response headers, in ms. */
  delayMs: number;
  /** When true, the connection is reset without a response. */
  reset: boolean;
  /** When true, the headers announce the whole body but only the first half is sent before the connection closes. */
  truncate: boolean;
  /** Number of matching requests this fault still applies to. */
  times: number;
}

export type FaultSpec = Omit<Fault, "id">;

const FAULT_FIELDS = new Set(["method", "path", "status", "headers", "body", "delayMs", "reset", "truncate", "times"]);

/** Parses the body of `POST /_emulator/faults` and returns the fault or every problem found. */
export function parseFault(input: unknown): { fault: FaultSpec | null; problems: string[] } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { fault: null, problems: ['the body must be a JSON object such as {"path": "/v1/orgs/", "status": 503}'] };
  }

  const fields = input as Record<string, unknown>;
  const problems: string[] = [];

  for (const field of Object.keys(fields)) {
    if (!FAULT_FIELDS.has(field)) {
      problems.push(`unknown field "${field}": use ${[...FAULT_FIELDS].map((name) => `"${name}"`).join(", ")}`);
    }
  }

  const method = fields.method ?? null;
  if (method !== null && !(typeof method === "string" && /^[A-Za-z]+$/.test(method))) {
    problems.push(`"method" must be an HTTP method such as "GET", got ${JSON.stringify(method)}`);
  }

  const path = fields.path ?? null;
  if (path !== null && !(typeof path === "string" && path.startsWith("/") && !path.includes("?"))) {
    problems.push(`"path" must be a request path starting with "/" and without a query string, got ${JSON.stringify(path)}`);
  }

  const status = fields.status ?? DEFAULT_FAULT_STATUS;
  if (!(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599)) {
    problems.push(`"status" must be an integer from 200 to 599, got ${JSON.stringify(status)}`);
  }

  const headers = parseHeaders(fields.headers ?? {}, problems);

  const delayMs = fields.delayMs ?? 0;
  if (!(Number.isInteger(delayMs) && (delayMs as number) >= 0 && (delayMs as number) <= MAX_FAULT_DELAY_MS)) {
    problems.push(`"delayMs" must be an integer from 0 to ${MAX_FAULT_DELAY_MS}, got ${JSON.stringify(delayMs)}`);
  }

  const times = fields.times ?? 1;
  if (!(Number.isSafeInteger(times) && (times as number) >= 1)) {
    problems.push(`"times" must be a positive integer, got ${JSON.stringify(times)}`);
  }

  const reset = fields.reset ?? false;
  const truncate = fields.truncate ?? false;
  if (typeof reset !== "boolean") {
    problems.push(`"reset" must be true or false, got ${JSON.stringify(reset)}`);
  }
  if (typeof truncate !== "boolean") {
    problems.push(`"truncate" must be true or false, got ${JSON.stringify(truncate)}`);
  }
  if (reset === true && truncate === true) {
    problems.push('"reset" and "truncate" cannot both be true: queue two faults instead');
  }

  const body = fields.body ?? null;
  const bodyBytes = typeof body === "string" ? Buffer.byteLength(body) : Buffer.byteLength(JSON.stringify(body));
  if (truncate === true && body !== null && bodyBytes < 2) {
    problems.push('"truncate" needs a body of at least 2 bytes, so that part of it can be sent');
  }

  if (problems.length > 0) {
    return { fault: null, problems };
  }

  const fault: FaultSpec = {
    method: method === null ? null : (method as string).toUpperCase(),
    path: path as string | null,
    status: status as number,
    headers,
    body,
    delayMs: delayMs as number,
    reset: reset as boolean,
    truncate: truncate as boolean,
    times: times as number,
  };
  return { fault, problems };
}

function parseHeaders(input: unknown, problems: string[]): Record<string, string> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    problems.push(`"headers" must be an object of header names to values, got ${JSON.stringify(input)}`);
    return {};
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    const lowerName = name.toLowerCase();
    if (lowerName === "content-length" || lowerName === "transfer-encoding") {
      problems.push(`header "${name}" is set by the emulator: use "truncate" for a body shorter than announced`);
      continue;
    }
    if (typeof value !== "string" && typeof value !== "number") {
      problems.push(`header "${name}" must have a string or number value, got ${JSON.stringify(value)}`);
      continue;
    }

    try {
      validateHeaderName(name);
      validateHeaderValue(name, String(value));
    } catch (error) {
      problems.push(`header "${name}" is invalid: ${(error as Error).message}`);
      continue;
    }
    headers[name] = String(value);
  }
  return headers;
}

/** First-in, first-out queue of faults. */
export class FaultQueue {
  private faults: Fault[] = [];
  private nextId = 1;

  /** Queues a fault and returns it with its id. */
  add(spec: FaultSpec): Fault {
    const fault = { id: this.nextId, ...spec };
    this.nextId += 1;
    this.faults.push(fault);
    return { ...fault };
  }

  /**
   * Takes one use of the oldest fault that matches the request and returns a copy of it, or null
   * when none matches. A fault with no uses left leaves the queue.
   */
  take(method: string, path: string): Fault | null {
    const index = this.faults.findIndex(
      (fault) => (fault.method === null || fault.method === method) && (fault.path === null || fault.path === path),
    );
    if (index < 0) {
      return null;
    }

    const fault = this.faults[index] as Fault;
    fault.times -= 1;
    if (fault.times === 0) {
      this.faults.splice(index, 1);
    }
    return { ...fault };
  }

  /** Returns copies of the queued faults, oldest first. */
  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** Removes every fault and restarts the ids at 1. */
  clear(): void {
    this.faults = [];
    this.nextId = 1;
  }
}

function encodeFaultBody(fault: Fault): { bytes: Buffer; contentType: string } {
  if (typeof fault.body === "string") {
    return { bytes: Buffer.from(fault.body), contentType: "text/plain; charset=utf-8" };
  }

  const value = fault.body ?? { detail: STATUS_CODES[fault.status] ?? `Status ${fault.status}` };
  return { bytes: Buffer.from(JSON.stringify(value)), contentType: "application/json" };
}

/**
 * Sends a fault as the response to a request, after the fault's delay. Pending delay timers are kept in
 * `timers` so that the emulator can cancel them when it closes.
 */
export function sendFault(
  fault: Fault,
  request: IncomingMessage,
  response: ServerResponse,
  timers: Set<NodeJS.Timeout>,
): void {
  const act = (): void => {
    if (response.destroyed || request.socket.destroyed) {
      return;
    }

    if (fault.reset) {
      request.socket.resetAndDestroy();
      return;
    }

    const { bytes, contentType } = encodeFaultBody(fault);
    response.statusCode = fault.status;
    response.setHeader("Content-Type", contentType);
    for (const [name, value] of Object.entries(fault.headers)) {
      response.setHeader(name, value);
    }
    response.setHeader("Content-Length", bytes.length);

    if (!fault.truncate) {
      response.end(bytes);
      return;
    }

    // Content-Length announces the whole body, so the client finds the body cut short when the connection closes.
    const part = bytes.subarray(0, Math.floor(bytes.length / 2));
    response.write(part, () => request.socket.destroy());
  };

  if (fault.delayMs === 0) {
    act();
    return;
  }

  const timer = setTimeout(() => {
    timers.delete(timer);
    act();
  }, fault.delayMs);
  timers.add(timer);

  response.on("close", () => {
    clearTimeout(timer);
    timers.delete(timer);
  });
}
