/**
 * The emulated Egret Organizations API under `/v1/`, with the habits of a Django REST Framework
 * service: Django's slash redirects and HTML error pages around the views, then in each view
 * authentication, throttling, the method check and the handler, in that order.
 */

import type { IncomingMessage, ServerResponse } from "node:http";

import { pythonTypeName, serializeOrganization, SLUG_PATTERN, touchOrganization, validateOrganizationPatch } from "./organization";
import type { StoredOrganization } from "./organization";
import { escapeHtml, sendHtml, sendJson, sendNotFoundPage } from "./respond";
import type { RequestTarget } from "./respond";
import type { EmulatorState } from "./state";

/** Methods of the list view, as DRF lists them in `Allow`. */
const LIST_METHODS = "GET, HEAD, OPTIONS";

/** Methods of the detail view, as DRF lists them in `Allow`. */
const DETAIL_METHODS = "GET, PATCH, HEAD, OPTIONS";

/** Methods that Django will not redirect to the slashed URL, because the redirect would lose the body. */
const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

type ApiRoute =
  | { kind: "list" }
  | { kind: "detail"; slug: string }
  | { kind: "append-slash" }
  | { kind: "not-found" };

/**
 * Matches the percent-decoded path against the URL patterns, as Django matches `path_info`.
 * A path without its trailing slash is routed to the slash redirect when the slashed path would match.
 */
function resolveRoute(rawPath: string): ApiRoute {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { kind: "not-found" };
  }

  if (path === "/v1/orgs/") {
    return { kind: "list" };
  }

  const detail = /^\/v1\/orgs\/([^/]+)\/$/.exec(path);
  if (detail !== null && SLUG_PATTERN.test(detail[1] as string)) {
    return { kind: "detail", slug: detail[1] as string };
  }

  const unslashed = /^\/v1\/orgs\/([^/]+)$/.exec(path);
  if (path === "/v1/orgs" || (unslashed !== null && SLUG_PATTERN.test(unslashed[1] as string))) {
    return { kind: "append-slash" };
  }

  return { kind: "not-found" };
}

/** Handles one request to the emulated API. The body has been read already. */
export function handleApiRequest(
  state: EmulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  target: RequestTarget,
  body: Buffer,
): void {
  const method = request.method ?? "GET";
  const route = resolveRoute(target.path);

  if (route.kind === "not-found") {
    sendNotFoundPage(response);
    return;
  }
  if (route.kind === "append-slash") {
    sendAppendSlash(request, response, target);
    return;
  }

  response.setHeader("Allow", route.kind === "list" ? LIST_METHODS : DETAIL_METHODS);
  response.setHeader("Vary", "Accept");

  const key = authenticate(state, request.headers.authorization, response);
  if (key === null) {
    return;
  }

  const wait = state.throttle.check(key);
  if (wait !== null) {
    const unit = wait === 1 ? "second" : "seconds";
    sendJson(
      response,
      429,
      { detail: `Request was throttled. Expected available in ${wait} ${unit}.` },
      { "Retry-After": String(wait) },
    );
    return;
  }

  if (method === "GET" || method === "HEAD") {
    if (route.kind === "list") {
      const visible = state.organizations.filter((organization) => organization.owner_key === key);
      sendJson(response, 200, visible.map(serializeOrganization));
    } else {
      const organization = findVisibleOrganization(state, key, route.slug, response);
      if (organization !== null) {
        sendJson(response, 200, serializeOrganization(organization));
      }
    }
    return;
  }

  if (method === "OPTIONS") {
    sendJson(response, 200, {
      name: route.kind === "list" ? "Organization List" : "Organization Detail",
      description: "",
      renders: ["application/json"],
      parses: ["application/json"],
    });
    return;
  }

  if (method === "PATCH" && route.kind === "detail") {
    patchOrganization(state, request, response, key, route.slug, body);
    return;
  }

  sendJson(response, 405, { detail: `Method "${method}" not allowed.` });
}

/**
 * Sends Django's response to a path without its trailing slash: a 301 to the slashed path for
 * GET and other body-less methods, and the 500 page of `DEBUG` mode for POST, PUT and PATCH.
 */
function sendAppendSlash(request: IncomingMessage, response: ServerResponse, target: RequestTarget): void {
  const method = request.method ?? "GET";
  const location = `${target.path}/${target.query === "" ? "" : `?${target.query}`}`;

  if (!BODY_METHODS.has(method)) {
    response.setHeader("Location", location);
    sendHtml(response, 301, "");
    return;
  }

  const host = request.headers.host ?? "";
  const message =
    `You called this URL via ${method}, but the URL doesn't end in a slash and you have APPEND_SLASH set. ` +
    `Django can't redirect to the slash URL while maintaining ${method} data. ` +
    `Change your form to point to ${host}${location} (note the trailing slash), ` +
    `or set APPEND_SLASH=False in your Django settings.`;
  const title = `RuntimeError at ${target.path}`;
  sendHtml(
    response,
    500,
    [
      "<!DOCTYPE html>",
      '<html lang="en">',
      `<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
      "<body>",
      `<h1>${escapeHtml(title)}</h1>`,
      `<pre class="exception_value">${escapeHtml(message)}</pre>`,
      "</body>",
      "</html>",
      "",
    ].join("\n"),
  );
}

/**
 * Returns the API key of an active user from a `Bearer` Authorization header, or sends the
 * 401 or 403 that DRF sends and returns null.
 */
function authenticate(state: EmulatorState, header: string | undefined, response: ServerResponse): string | null {
  const challenge = { "WWW-Authenticate": "Bearer" };
  const parts = (header ?? "").trim().split(/\s+/);

  if (header === undefined || parts[0]?.toLowerCase() !== "bearer") {
    sendJson(response, 401, { detail: "Authentication credentials were not provided." }, challenge);
    return null;
  }
  if (parts.length === 1) {
    sendJson(response, 401, { detail: "Invalid token header. No credentials provided." }, challenge);
    return null;
  }
  if (parts.length > 2) {
    sendJson(response, 401, { detail: "Invalid token header. Token string should not contain spaces." }, challenge);
    return null;
  }

  const key = parts[1] as string;
  const user = state.keys.get(key);
  if (user === undefined) {
    sendJson(response, 401, { detail: "Invalid token." }, challenge);
    return null;
  }
  if (!user.active) {
    sendJson(response, 403, { detail: "You do not have permission to perform this action." });
    return null;
  }
  return key;
}

/** Returns the key's organization with this slug, or sends 404. Another user's organization is also 404, so its existence does not leak. */
function findVisibleOrganization(
  state: EmulatorState,
  key: string,
  slug: string,
  response: ServerResponse,
): StoredOrganization | null {
  const organization = state.findOrganization(slug);
  if (organization === undefined || organization.owner_key !== key) {
    sendJson(response, 404, { detail: "Not found." });
    return null;
  }
  return organization;
}

function patchOrganization(
  state: EmulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  key: string,
  slug: string,
  body: Buffer,
): void {
  // DRF looks up the object before it parses the body, so an unknown slug is 404 even with a bad body.
  const organization = findVisibleOrganization(state, key, slug, response);
  if (organization === null) {
    return;
  }

  let data: unknown = {};
  if (body.length > 0) {
    const contentType = request.headers["content-type"] ?? "";
    const mediaType = (contentType.split(";")[0] ?? "").trim().toLowerCase();
    if (mediaType !== "application/json") {
      sendJson(response, 415, { detail: `Unsupported media type "${contentType}" in request.` });
      return;
    }

    try {
      data = JSON.parse(body.toString("utf8")) as unknown;
    } catch (error) {
      sendJson(response, 400, { detail: `JSON parse error - ${(error as Error).message}` });
      return;
    }
  }

  if (data === null) {
    sendJson(response, 400, { non_field_errors: ["No data provided"] });
    return;
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    sendJson(response, 400, {
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(data)}.`],
    });
    return;
  }

  const patch = validateOrganizationPatch(data as Record<string, unknown>, state.domains);
  if (Object.keys(patch.errors).length > 0) {
    sendJson(response, 400, patch.errors);
    return;
  }

  Object.assign(organization, patch.changes);
  touchOrganization(organization, state.nowMicroseconds());
  sendJson(response, 200, serializeOrganization(organization));
}
