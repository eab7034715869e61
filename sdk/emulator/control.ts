/**
 * Control endpoints under `/_emulator/`, for tests and demos. They need no authentication, are
 * not in the request log, and accept paths with or without a trailing slash.
 */

import type { IncomingMessage, ServerResponse } from "node:http";

import { parseFault } from "./faults";
import { parseJsonText } from "./json";
import { serializeOrganization } from "./organization";
import { sendJson } from "./respond";
import type { RequestTarget } from "./respond";
import { defaultSeed } from "./seed";
import { keyIdOf, loadSeed } from "./state";
import type { EmulatorState } from "./state";
import { parseThrottleSettings } from "./throttle";

type ParsedBody = { ok: true; value: unknown } | { ok: false };

/**
 * Parses a control request body as JSON (undefined when empty), or sends 400 and returns
 * `ok: false`. The error names the position, never the text, because a seed contains API keys.
 */
function parseControlBody(body: Buffer, response: ServerResponse): ParsedBody {
  if (body.length === 0) {
    return { ok: true, value: undefined };
  }
  const parsed = parseJsonText(body.toString("utf8"));
  if (!parsed.ok) {
    sendJson(response, 400, { detail: `The request body is not valid JSON: ${parsed.error}` });
    return { ok: false };
  }
  return { ok: true, value: parsed.value };
}

function sendProblems(response: ServerResponse, subject: string, problems: string[]): void {
  sendJson(response, 400, { detail: `Invalid ${subject}: ${problems.join("; ")}`, problems });
}

function sendMethodNotAllowed(response: ServerResponse, method: string, allowed: string[]): void {
  sendJson(
    response,
    405,
    { detail: `Method "${method}" not allowed here: use ${allowed.join(" or ")}.` },
    { Allow: allowed.join(", ") },
  );
}

/**
 * Returns the stored state: the domain catalogue, the organizations with their owner's key label,
 * the throttle, the faults, and the API requests in flight now and at most at once.
 */
function describeState(state: EmulatorState): Record<string, unknown> {
  return {
    domains: [...state.domains],
    organizations: state.organizations.map((organization) => ({
      ...serializeOrganization(organization),
      owner_key_id: keyIdOf(organization.owner_key),
    })),
    throttle: state.throttle.current ?? { rate: null },
    faults: state.faults.list(),
    requestsInFlight: { current: state.requestsInFlight, max: state.maxRequestsInFlight },
  };
}

/** Handles one request under `/_emulator/`. The body has been read already. */
export function handleControlRequest(
  state: EmulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  target: RequestTarget,
  body: Buffer,
): void {
  const method = request.method ?? "GET";
  const path = target.path.replace(/\/+$/, "");

  const organizationRoute = /^\/_emulator\/orgs\/([^/]+)$/.exec(path);
  if (organizationRoute !== null) {
    handleOrganization(state, method, response, organizationRoute[1] as string, body);
    return;
  }

  switch (path) {
    case "/_emulator/reset":
      if (method !== "POST") {
        sendMethodNotAllowed(response, method, ["POST"]);
        return;
      }
      resetState(state, response, body);
      return;

    case "/_emulator/state":
      if (method !== "GET") {
        sendMethodNotAllowed(response, method, ["GET"]);
        return;
      }
      sendJson(response, 200, describeState(state));
      return;

    case "/_emulator/requests":
      if (method === "GET") {
        sendJson(response, 200, state.requestLog);
      } else if (method === "DELETE") {
        state.requestLog = [];
        state.maxRequestsInFlight = state.requestsInFlight;
        response.statusCode = 204;
        response.end();
      } else {
        sendMethodNotAllowed(response, method, ["GET", "DELETE"]);
      }
      return;

    case "/_emulator/faults":
      handleFaults(state, method, response, body);
      return;

    case "/_emulator/throttle":
      handleThrottle(state, method, response, body);
      return;

    default:
      sendJson(response, 404, {
        detail:
          `No control endpoint at ${target.path}: use /_emulator/reset, /_emulator/state, ` +
          "/_emulator/orgs/{slug}, /_emulator/requests, /_emulator/faults or /_emulator/throttle.",
      });
  }
}

function resetState(state: EmulatorState, response: ServerResponse, body: Buffer): void {
  const parsed = parseControlBody(body, response);
  if (!parsed.ok) {
    return;
  }

  const loaded = loadSeed(parsed.value ?? defaultSeed(), state.nowMicroseconds());
  if (loaded.seed === null) {
    sendProblems(response, "seed", loaded.problems);
    return;
  }

  state.reset(loaded.seed);
  sendJson(response, 200, describeState(state));
}

function handleOrganization(
  state: EmulatorState,
  method: string,
  response: ServerResponse,
  rawSlug: string,
  body: Buffer,
): void {
  let slug = rawSlug;
  try {
    slug = decodeURIComponent(rawSlug);
  } catch {
    // An invalid escape cannot name a stored slug, so the lookup below sends 404.
  }

  const organization = state.findOrganization(slug);
  if (organization === undefined) {
    sendJson(response, 404, { detail: `Organization "${slug}" was not found: GET /_emulator/state lists the stored slugs.` });
    return;
  }

  if (method === "GET") {
    sendJson(response, 200, serializeOrganization(organization));
    return;
  }
  if (method !== "PATCH") {
    sendMethodNotAllowed(response, method, ["GET", "PATCH"]);
    return;
  }

  const parsed = parseControlBody(body, response);
  if (!parsed.ok) {
    return;
  }
  const changes = parsed.value ?? {};
  if (typeof changes !== "object" || changes === null || Array.isArray(changes)) {
    sendProblems(response, "organization change", ["the body must be a JSON object of snake_case fields"]);
    return;
  }

  const problems = state.updateOrganization(organization, changes as Record<string, unknown>);
  if (problems.length > 0) {
    sendProblems(response, "organization change", problems);
    return;
  }
  sendJson(response, 200, serializeOrganization(organization));
}

function handleFaults(state: EmulatorState, method: string, response: ServerResponse, body: Buffer): void {
  if (method === "GET") {
    sendJson(response, 200, state.faults.list());
    return;
  }
  if (method === "DELETE") {
    state.faults.clear();
    response.statusCode = 204;
    response.end();
    return;
  }
  if (method !== "POST") {
    sendMethodNotAllowed(response, method, ["GET", "POST", "DELETE"]);
    return;
  }

  const parsed = parseControlBody(body, response);
  if (!parsed.ok) {
    return;
  }
  const { fault, problems } = parseFault(parsed.value);
  if (fault === null) {
    sendProblems(response, "fault", problems);
    return;
  }
  sendJson(response, 201, state.faults.add(fault));
}

function handleThrottle(state: EmulatorState, method: string, response: ServerResponse, body: Buffer): void {
  if (method === "GET") {
    sendJson(response, 200, state.throttle.current ?? { rate: null });
    return;
  }
  if (method !== "POST") {
    sendMethodNotAllowed(response, method, ["GET", "POST"]);
    return;
  }

  const parsed = parseControlBody(body, response);
  if (!parsed.ok) {
    return;
  }
  const { settings, problems } = parseThrottleSettings(parsed.value);
  if (problems.length > 0) {
    sendProblems(response, "throttle settings", problems);
    return;
  }

  state.throttle.configure(settings);
  sendJson(response, 200, settings ?? { rate: null });
}
