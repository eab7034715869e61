/**
 * HTTP helpers shared by the emulated API and the control endpoints: reading bodies and sending
 * JSON and the HTML pages that Django sends.
 */

import type { IncomingMessage, ServerResponse } from "node:http";

/** Largest request body the emulator reads, in bytes (1 MiB). Larger bodies get 413. */
export const MAX_BODY_BYTES = 1_048_576;

/** The parts of a request target: the path as sent (still percent-encoded) and the query string without `?`. */
export interface RequestTarget {
  path: string;
  query: string;
}

export function splitTarget(url: string): RequestTarget {
  const index = url.indexOf("?");
  return index < 0 ? { path: url, query: "" } : { path: url.slice(0, index), query: url.slice(index + 1) };
}

/** Raised by `readBody` when the body is larger than `MAX_BODY_BYTES`. */
export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body is larger than ${MAX_BODY_BYTES} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads the whole request body. Rejects with `BodyTooLargeError` when the body is too large, and
 * with the stream's error when the client goes away first.
 */
export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new BodyTooLargeError());
      return;
    }

    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;

    request.on("data", (chunk: Buffer) => {
      if (settled) {
        return;
      }
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        settled = true;
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => {
      if (!settled) {
        settled = true;
        resolve(Buffer.concat(chunks));
      }
    });
    request.on("error", (error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
    request.on("close", () => {
      if (!settled) {
        settled = true;
        reject(new Error("the client closed the connection before the body ended"));
      }
    });
  });
}

/** Returns the body parsed as JSON, or null when it is empty or not valid JSON. */
export function parseJsonOrNull(body: Buffer): unknown {
  if (body.length === 0) {
    return null;
  }
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    return null;
  }
}

/** Sends a JSON response. Headers set on `response` before the call are kept. */
export function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void {
  send(response, status, Buffer.from(JSON.stringify(value)), "application/json", headers);
}

/** Sends an HTML response. Headers set on `response` before the call are kept. */
export function sendHtml(
  response: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string> = {},
): void {
  send(response, status, Buffer.from(html), "text/html; charset=utf-8", headers);
}

function send(
  response: ServerResponse,
  status: number,
  bytes: Buffer,
  contentType: string,
  headers: Record<string, string>,
): void {
  // setHeader, not writeHead(status, headers), so that getHeader still returns every header for
  // the request log after the response is sent.
  response.statusCode = status;
  response.setHeader("Content-Type", contentType);
  response.setHeader("Content-Length", bytes.length);
  for (const [name, value] of Object.entries(headers)) {
    response.setHeader(name, value);
  }
  response.end(bytes);
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#x27;");
}

/** Sends Django's production 404 page, the response to a path that matches no URL pattern. */
export function sendNotFoundPage(response: ServerResponse): void {
  sendHtml(
    response,
    404,
    [
      "<!doctype html>",
      '<html lang="en">',
      "<head>",
      "  <title>Not Found</title>",
      "</head>",
      "<body>",
      "  <h1>Not Found</h1><p>The requested resource was not found on this server.</p>",
      "</body>",
      "</html>",
      "",
    ].join("\n"),
  );
}

/** Sends 413 for a body larger than `MAX_BODY_BYTES` and closes the connection, because the rest of the body is not read. */
export function sendBodyTooLarge(response: ServerResponse): void {
  sendJson(
    response,
    413,
    { detail: `Request body is larger than ${MAX_BODY_BYTES} bytes.` },
    { Connection: "close" },
  );
}
