/**
 * The emulator's HTTP server. It logs each API request, then responds with a queued fault or
 * passes the request to the emulated API. Requests under `/_emulator/` go to the control endpoints.
 */

import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

import { handleApiRequest } from "./api";
import { handleControlRequest } from "./control";
import { sendFault } from "./faults";
import { BodyTooLargeError, parseJsonOrNull, readBody, sendBodyTooLarge, sendJson, splitTarget } from "./respond";
import { defaultSeed } from "./seed";
import type { EmulatorSeed } from "./seed";
import { EmulatorState, keyIdOf, loadSeed } from "./state";
import type { RequestLogEntry } from "./state";

/** Default host: loopback only, because the control endpoints need no authentication. */
export const DEFAULT_HOST = "127.0.0.1";

export interface StartEmulatorOptions {
  /** TCP port to listen on. Default 0, which picks a free port. */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Data to start from. Default `defaultSeed()`. */
  seed?: EmulatorSeed;
  /**
   * Time source in ms since the epoch, for timestamps, throttling and the request log. A
   * fraction gives timestamps sub-millisecond precision. Default: the system clock with
   * microsecond precision.
   */
  clock?: () => number;
}

export interface RunningEmulator {
  /** Base URL without a trailing slash, such as `http://127.0.0.1:8787`. */
  url: string;
  /** Stops listening, ends every open connection, including kept-alive ones, and cancels delayed faults. */
  close(): Promise<void>;
}

function systemClock(): number {
  return performance.timeOrigin + performance.now();
}

/** Returns the label of the Bearer token in an Authorization header, or null when it has none. */
function keyIdFromHeader(header: string | undefined): string | null {
  const parts = (header ?? "").trim().split(/\s+/);
  if (parts.length !== 2 || parts[0]?.toLowerCase() !== "bearer") {
    return null;
  }
  return keyIdOf(parts[1] as string);
}

/** Copies the response's status and `Retry-After` into its log entry, once. */
function recordOutcome(entry: RequestLogEntry, response: ServerResponse): void {
  if (entry.status !== null) {
    return;
  }
  entry.status = response.headersSent ? response.statusCode : 0;

  const retryAfter = response.getHeader("retry-after");
  entry.retryAfter = retryAfter === undefined ? null : String(retryAfter);
}

async function handleRequest(
  state: EmulatorState,
  timers: Set<NodeJS.Timeout>,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? "GET";
  const target = splitTarget(request.url ?? "/");

  if (target.path === "/_emulator" || target.path.startsWith("/_emulator/")) {
    const body = await readBody(request);
    handleControlRequest(state, request, response, target, body);
    return;
  }

  const entry: RequestLogEntry = {
    method,
    path: request.url ?? "/",
    status: null,
    receivedAt: Math.floor(state.clock()),
    keyId: keyIdFromHeader(request.headers.authorization),
    body: null,
    retryAfter: null,
    fault: false,
  };
  state.logRequest(entry);
  const endRequest = state.startRequest();
  response.on("finish", () => {
    endRequest();
    recordOutcome(entry, response);
  });
  response.on("close", () => {
    endRequest();
    recordOutcome(entry, response);
  });

  const body = await readBody(request);
  entry.body = parseJsonOrNull(body);

  const fault = state.faults.take(method, target.path);
  if (fault !== null) {
    entry.fault = true;
    sendFault(fault, request, response, timers);
    return;
  }

  handleApiRequest(state, request, response, target, body);
}

/** Sends the error response for a request whose handling threw: 413 for a body that is too large, otherwise a logged 500. */
function handleRequestError(error: unknown, request: IncomingMessage, response: ServerResponse): void {
  if (error instanceof BodyTooLargeError) {
    sendBodyTooLarge(response);
    return;
  }
  if (request.destroyed && !response.headersSent) {
    // The client closed the connection before the body ended, so no response can be sent.
    return;
  }

  console.error(`egret emulator: ${request.method} ${request.url} failed:`, error);
  if (!response.headersSent) {
    sendJson(response, 500, { detail: `Internal emulator error: ${(error as Error).message}` });
  } else {
    response.destroy();
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function formatUrl(address: AddressInfo): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Starts an emulator of the Egret Organizations API and resolves once it is listening.
 * Rejects when the seed is invalid (the message lists every problem) or the server cannot listen.
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const state = new EmulatorState(options.clock ?? systemClock);

  const loaded = loadSeed(options.seed ?? defaultSeed(), state.nowMicroseconds());
  if (loaded.seed === null) {
    throw new Error(`Invalid emulator seed: ${loaded.problems.join("; ")}`);
  }
  state.reset(loaded.seed);

  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((request, response) => {
    handleRequest(state, timers, request, response).catch((error: unknown) => {
      handleRequestError(error, request, response);
    });
  });

  await listen(server, options.port ?? 0, options.host ?? DEFAULT_HOST);

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      for (const timer of timers) {
        clearTimeout(timer);
      }
      timers.clear();

      server.close((error) => (error === undefined ? resolve() : reject(error)));
      server.closeAllConnections();
    });
    return closing;
  };

  return { url: formatUrl(server.address() as AddressInfo), close };
}
