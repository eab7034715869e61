import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  EgretAuthenticationError,
  EgretClient,
  EgretConnectionError,
  EgretError,
  EgretNotFoundError,
  EgretPermissionError,
  EgretRateLimitError,
  EgretRedirectError,
  EgretServerError,
  EgretTimeoutError,
  EgretUnexpectedResponseError,
  EgretValidationError,
  type Clock,
  type EgretClientOptions,
  type EgretErrorCode,
} from "../sdk";
import { defaultSeed, DEMO_KEY, startEmulator, type RunningEmulator } from "../sdk/emulator";
import {
  createOrganization,
  OrganizationInitError,
  OrganizationNotFoundError,
  readOrganization,
  updateOrganization,
} from "../provider/organization/logic";
import type { OrganizationOutputs } from "../provider/organization/types";
import { EmulatorControl } from "./helpers/emulator";

/**
 * The fault matrix: every fault the emulator can produce, for GET (refresh) and PATCH (update),
 * through the Organization logic. Each case checks the outcome, the attempts the emulator saw,
 * the attempts on the error, and the waits taken on a virtual clock.
 */

/** Distinctive keys, so that a leak of any of them into a message or log line is unmistakable. */
const API_KEY = "egret_matrix_Qv7Lz2Wx9Kp4Tn8R";
const SUSPENDED_KEY = "egret_suspended_Hc3Jm6Yd1Fs5Bg0V";
const UNKNOWN_KEY = "egret_unknown_Zr8Ne4Ua7Ow2Ik5P";
const SECRETS = [API_KEY, SUSPENDED_KEY, UNKNOWN_KEY];

const SLUG = "egret-ai";
const MISSING_SLUG = "no-such-org";

/** Start of virtual time: a whole second, so HTTP dates convert to exact waits. */
const VIRTUAL_START = Date.UTC(2026, 0, 1, 0, 0, 0);

/** Client tuning for the matrix. With `random` at 0.5, each backoff is 7/8 of its exponential step. */
const TUNING = { maxAttempts: 4, retryBaseDelayMs: 500, retryMaxDelayMs: 10_000, attemptTimeoutMs: 10_000 };
/** Backoff waits with the tuning above: 500, 1000 and 2000 ms, each times 0.875, rounded. */
const BACKOFF = [438, 875, 1750];

const HTML_502 = [
  "<html>",
  "<head><title>502 Bad Gateway</title></head>",
  "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body>",
  "</html>",
].join("\r\n");

const HTML_404 = "<!doctype html>\n<html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>";

type Method = "GET" | "PATCH";
const METHODS: Method[] = ["GET", "PATCH"];

/** A virtual clock: `sleep` resolves at once, records the wait, and moves `now` forward. */
class VirtualClock implements Clock {
  readonly waits: number[] = [];
  private current = VIRTUAL_START;

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    this.current += ms;
  }
}

type ErrorClass = new (...args: never[]) => EgretError;

/** The outcome a case expects. */
interface Expected {
  outcome: "success" | "gone" | ErrorClass;
  code?: EgretErrorCode;
  /** Attempts made by the client. */
  attempts: number;
  /** Requests the emulator saw, `attempts` unless given. */
  reached?: number;
  /** Waits between attempts, in ms. */
  waits: number[];
  /** Extra checks on the error. */
  check?: (error: EgretError) => void;
}

/** What a case changes before it runs. */
interface Setup {
  faults?: Array<Record<string, unknown>>;
  client?: Partial<EgretClientOptions>;
  slug?: string;
  /** Allowed domains a PATCH sets. Without them, the PATCH changes only the name. */
  allowedDomains?: string[];
}

interface Row {
  fault: string;
  setup: (method: Method) => Setup;
  expected: Expected | Record<Method, Expected>;
}

let emulator: RunningEmulator;
/** A second server on another origin: the target of the redirect, which must see no request. */
let elsewhere: RunningEmulator;
let control: EmulatorControl;
let elsewhereControl: EmulatorControl;
let closedPort: number;
let organizationJson: Record<string, unknown>;

/** Results of the matrix, in order, for the Markdown table. */
const table: Array<{ fault: string; method: Method; attempts: number; waits: number[]; outcome: string }> = [];

/** Every error message, stack and log line produced, scanned for the keys at the end. */
const producedTexts: string[] = [];

function seed(): Record<string, unknown> {
  const base = defaultSeed();
  return {
    domains: base.domains,
    keys: {
      [API_KEY]: { email: "ops@example.com" },
      [SUSPENDED_KEY]: { email: "suspended@example.com", active: false },
    },
    organizations: base.organizations
      .filter((organization) => organization.owner_key === DEMO_KEY)
      .map((organization) => ({ ...organization, owner_key: API_KEY })),
  };
}

function fault(spec: Record<string, unknown>, method: Method, path = `/v1/orgs/${SLUG}/`): Record<string, unknown> {
  return { method, path, ...spec };
}

const ROWS: Row[] = [
  {
    fault: "503, then success",
    setup: (method) => ({ faults: [fault({ status: 503 }, method)] }),
    expected: { outcome: "success", attempts: 2, waits: BACKOFF.slice(0, 1) },
  },
  {
    fault: "503 on every attempt",
    setup: (method) => ({ faults: [fault({ status: 503, times: 4 }, method)] }),
    expected: {
      outcome: EgretServerError,
      code: "EGRET_SERVER",
      attempts: 4,
      waits: BACKOFF,
      check: (error) => expect(error.status).toBe(503),
    },
  },
  {
    fault: "429 with Retry-After: 3",
    setup: (method) => ({
      faults: [
        fault(
          {
            status: 429,
            headers: { "Retry-After": "3" },
            body: { detail: "Request was throttled. Expected available in 3 seconds." },
          },
          method,
        ),
      ],
    }),
    expected: { outcome: "success", attempts: 2, waits: [3000] },
  },
  {
    fault: "429 with Retry-After as an HTTP date",
    setup: (method) => ({
      faults: [fault({ status: 429, headers: { "Retry-After": new Date(VIRTUAL_START + 7000).toUTCString() } }, method)],
    }),
    expected: { outcome: "success", attempts: 2, waits: [7000] },
  },
  {
    fault: "429 with Retry-After above the cap",
    setup: (method) => ({ faults: [fault({ status: 429, headers: { "Retry-After": "120" } }, method)] }),
    expected: { outcome: "success", attempts: 2, waits: [TUNING.retryMaxDelayMs] },
  },
  {
    fault: "429 without Retry-After",
    setup: (method) => ({ faults: [fault({ status: 429 }, method)] }),
    expected: { outcome: "success", attempts: 2, waits: BACKOFF.slice(0, 1) },
  },
  {
    fault: "429 on every attempt",
    setup: (method) => ({ faults: [fault({ status: 429, headers: { "Retry-After": "2" }, times: 4 }, method)] }),
    expected: {
      outcome: EgretRateLimitError,
      code: "EGRET_RATE_LIMIT",
      attempts: 4,
      waits: [2000, 2000, 2000],
      check: (error) => expect((error as EgretRateLimitError).retryAfterMs).toBe(2000),
    },
  },
  ...[500, 502, 504, 408].map(
    (status): Row => ({
      fault: `${status}, then success`,
      setup: (method) => ({ faults: [fault({ status }, method)] }),
      expected: { outcome: "success", attempts: 2, waits: BACKOFF.slice(0, 1) },
    }),
  ),
  {
    fault: "408 on every attempt",
    setup: (method) => ({ faults: [fault({ status: 408, times: 4 }, method)] }),
    expected: { outcome: EgretServerError, code: "EGRET_SERVER", attempts: 4, waits: BACKOFF },
  },
  {
    fault: "HTML 502 page, then success",
    setup: (method) => ({
      faults: [fault({ status: 502, headers: { "Content-Type": "text/html" }, body: HTML_502 }, method)],
    }),
    expected: { outcome: "success", attempts: 2, waits: BACKOFF.slice(0, 1) },
  },
  {
    fault: "HTML 502 page on every attempt",
    setup: (method) => ({
      faults: [fault({ status: 502, headers: { "Content-Type": "text/html" }, body: HTML_502, times: 4 }, method)],
    }),
    expected: {
      outcome: EgretUnexpectedResponseError,
      code: "EGRET_UNEXPECTED_RESPONSE",
      attempts: 4,
      waits: BACKOFF,
      check: (error) => {
        expect(error.status).toBe(502);
        expect((error as EgretUnexpectedResponseError).excerpt).toContain("<title>502 Bad Gateway</title>");
        expect(error.message).toContain("run again later");
      },
    },
  },
  {
    fault: "body cut short (socket closed), then success",
    setup: (method) => ({ faults: [fault({ status: 200, truncate: true, body: organizationJson }, method)] }),
    expected: { outcome: "success", attempts: 2, waits: BACKOFF.slice(0, 1) },
  },
  {
    fault: "body cut short on every attempt",
    setup: (method) => ({ faults: [fault({ status: 200, truncate: true, body: organizationJson, times: 4 }, method)] }),
    expected: {
      outcome: EgretUnexpectedResponseError,
      code: "EGRET_UNEXPECTED_RESPONSE",
      attempts: 4,
      waits: BACKOFF,
      check: (error) => {
        expect(error.status).toBe(200);
        expect((error as EgretUnexpectedResponseError).excerpt).toMatch(/^\{"id":"0d4f8133/);
        expect(error.message).toMatch(/connection closed \(UND_ERR_SOCKET\) after \d+ bytes of the \d+ announced/);
      },
    },
  },
  {
    fault: "200 with truncated JSON",
    setup: (method) => ({
      faults: [
        fault({ status: 200, headers: { "Content-Type": "application/json" }, body: '{"id": "0d4f8133-cefb-47da' }, method),
      ],
    }),
    expected: {
      outcome: EgretUnexpectedResponseError,
      code: "EGRET_UNEXPECTED_RESPONSE",
      attempts: 1,
      waits: [],
      check: (error) => {
        expect((error as EgretUnexpectedResponseError).excerpt).toBe('{"id": "0d4f8133-cefb-47da');
        expect(error.message).toContain("the body is not JSON");
      },
    },
  },
  {
    fault: "200 with a field of the wrong type",
    setup: (method) => ({ faults: [fault({ status: 200, body: { ...organizationJson, storage_used_bytes: "408970" } }, method)] }),
    expected: {
      outcome: EgretUnexpectedResponseError,
      code: "EGRET_UNEXPECTED_RESPONSE",
      attempts: 1,
      waits: [],
      check: (error) => expect(error.message).toContain("storage_used_bytes: Invalid input: expected number"),
    },
  },
  {
    fault: "slow headers past attemptTimeoutMs, then success",
    setup: (method) => ({ faults: [fault({ status: 503, delayMs: 60_000 }, method)], client: { attemptTimeoutMs: 200 } }),
    expected: { outcome: "success", attempts: 2, waits: BACKOFF.slice(0, 1) },
  },
  {
    fault: "slow headers on every attempt",
    setup: (method) => ({
      faults: [fault({ status: 503, delayMs: 60_000, times: 4 }, method)],
      client: { attemptTimeoutMs: 200 },
    }),
    expected: {
      outcome: EgretTimeoutError,
      code: "EGRET_TIMEOUT",
      attempts: 4,
      waits: BACKOFF,
      check: (error) => {
        const timeout = error as EgretTimeoutError;
        expect(timeout.limit).toBe("attempt");
        expect(timeout.attemptTimeoutMs).toBe(200);
        expect(timeout.deadlineMs).toBe(120_000);
        expect(timeout.message).toContain("within 200 ms (attemptTimeoutMs)");
        expect(timeout.message).toContain("within a deadline of 120000 ms (deadlineMs)");
      },
    },
  },
  {
    fault: "deadline reached between attempts",
    setup: (method) => ({ faults: [fault({ status: 503, times: 4 }, method)], client: { deadlineMs: 1000 } }),
    expected: {
      outcome: EgretTimeoutError,
      code: "EGRET_TIMEOUT",
      attempts: 2,
      waits: BACKOFF.slice(0, 1),
      check: (error) => {
        const timeout = error as EgretTimeoutError;
        expect(timeout.limit).toBe("deadline");
        expect(timeout.deadlineMs).toBe(1000);
        expect(timeout.attemptTimeoutMs).toBe(TUNING.attemptTimeoutMs);
        expect(timeout.cause).toBeInstanceOf(EgretServerError);
      },
    },
  },
  {
    fault: "dropped connection (reset), then success",
    setup: (method) => ({ faults: [fault({ reset: true }, method)] }),
    expected: { outcome: "success", attempts: 2, waits: BACKOFF.slice(0, 1) },
  },
  {
    fault: "dropped connection on every attempt",
    setup: (method) => ({ faults: [fault({ reset: true, times: 4 }, method)] }),
    expected: {
      outcome: EgretConnectionError,
      code: "EGRET_CONNECTION",
      attempts: 4,
      waits: BACKOFF,
      check: (error) => expect(error.message).toContain("(ECONNRESET)"),
    },
  },
  {
    fault: "connection refused (closed port)",
    setup: () => ({ client: { apiUrl: `http://127.0.0.1:${closedPort}` } }),
    expected: {
      outcome: EgretConnectionError,
      code: "EGRET_CONNECTION",
      attempts: 4,
      reached: 0,
      waits: BACKOFF,
      check: (error) => {
        expect(error.message).toContain("(ECONNREFUSED)");
        expect(error.status).toBeUndefined();
      },
    },
  },
  {
    fault: "401 (unknown API key)",
    setup: () => ({ client: { apiKey: UNKNOWN_KEY, apiKeySource: "EGRET_API_KEY" } }),
    expected: {
      outcome: EgretAuthenticationError,
      code: "EGRET_AUTHENTICATION",
      attempts: 1,
      waits: [],
      check: (error) => {
        expect(error.status).toBe(401);
        expect(error.message).toContain("The API key from EGRET_API_KEY was not accepted");
        expect(error.message).toContain("Invalid token.");
      },
    },
  },
  {
    fault: "403 (suspended API key)",
    setup: () => ({ client: { apiKey: SUSPENDED_KEY, apiKeySource: "egret:apiKey" } }),
    expected: {
      outcome: EgretPermissionError,
      code: "EGRET_PERMISSION",
      attempts: 1,
      waits: [],
      check: (error) => expect(error.message).toContain("The API key from egret:apiKey may not perform this request"),
    },
  },
  {
    fault: "404 (unknown slug)",
    setup: () => ({ slug: MISSING_SLUG }),
    expected: {
      GET: { outcome: "gone", attempts: 1, waits: [] },
      PATCH: {
        outcome: EgretNotFoundError,
        code: "EGRET_NOT_FOUND",
        attempts: 1,
        waits: [],
        check: (error) => expect(error.message).toContain("Check the slug"),
      },
    },
  },
  {
    fault: "404 HTML page (no API route)",
    setup: (method) => ({ faults: [fault({ status: 404, headers: { "Content-Type": "text/html" }, body: HTML_404 }, method)] }),
    expected: {
      outcome: EgretUnexpectedResponseError,
      code: "EGRET_UNEXPECTED_RESPONSE",
      attempts: 1,
      waits: [],
      check: (error) => {
        expect(error.status).toBe(404);
        expect(error.message).toContain("no API route matched the path");
      },
    },
  },
  {
    fault: "400 with field errors",
    setup: (method) =>
      method === "GET"
        ? {
            faults: [
              fault(
                { status: 400, body: { name: ["This field may not be blank."], allowed_domains: ["Unknown domain: astrology"] } },
                method,
              ),
            ],
          }
        : { allowedDomains: ["astrology", "legal"] },
    expected: {
      outcome: EgretValidationError,
      code: "EGRET_VALIDATION",
      attempts: 1,
      waits: [],
      check: (error) => {
        const validation = error as EgretValidationError;
        expect(validation.fieldErrors.allowed_domains).toEqual(["Unknown domain: astrology"]);
        expect(validation.message).toContain("allowed_domains: Unknown domain: astrology");
      },
    },
  },
  {
    fault: "301 redirect to another origin",
    setup: (method) => ({
      faults: [fault({ status: 301, headers: { Location: `${elsewhere.url}/v1/orgs/${SLUG}/` } }, method)],
    }),
    expected: {
      outcome: EgretRedirectError,
      code: "EGRET_REDIRECT",
      attempts: 1,
      waits: [],
      check: (error) => {
        expect((error as EgretRedirectError).location).toBe(`${elsewhere.url}/v1/orgs/${SLUG}/`);
        expect(error.message).toContain(`redirected (301) to '${elsewhere.url}/v1/orgs/${SLUG}/'`);
      },
    },
  },
];

function expectedFor(row: Row, method: Method): Expected {
  const expected = row.expected;
  return "outcome" in expected ? (expected as Expected) : (expected as Record<Method, Expected>)[method];
}

/** Collects the message, stack and fields of an error and of its causes. */
function errorTexts(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 4) {
    return [String(error)];
  }
  const fields = Object.fromEntries(Object.entries(error).filter(([key]) => key !== "cause"));
  return [
    error.message,
    error.stack ?? "",
    JSON.stringify(fields),
    ...(error.cause === undefined ? [] : errorTexts(error.cause, depth + 1)),
  ];
}

function expectNoSecrets(texts: readonly string[]): void {
  for (const text of texts) {
    for (const secret of SECRETS) {
      expect(text).not.toContain(secret);
    }
  }
}

function describeOutcome(result: unknown): string {
  if (result instanceof EgretError) {
    return `${result.name} (${result.code})`;
  }
  return result === undefined ? "gone" : "success";
}

function buildClient(clock: VirtualClock, lines: string[], overrides: Partial<EgretClientOptions> = {}): EgretClient {
  return new EgretClient({
    apiKey: API_KEY,
    apiKeySource: "egret:apiKey",
    apiUrl: emulator.url,
    ...TUNING,
    clock,
    random: () => 0.5,
    logger: { debug: (message) => lines.push(message) },
    ...overrides,
  });
}

/** Reads the organization with a clean client, so a PATCH case starts from real state. */
async function currentState(): Promise<OrganizationOutputs> {
  const client = buildClient(new VirtualClock(), []);
  try {
    const read = await readOrganization(client, SLUG, undefined);
    if (read === undefined) {
      throw new Error(`the seed has no organization '${SLUG}'`);
    }
    return read.outputs;
  } finally {
    await client.close();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") {
    throw new Error("the probe server has no TCP address");
  }
  return address.port;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  elsewhere = await startEmulator({ port: 0 });
  control = new EmulatorControl(emulator.url);
  elsewhereControl = new EmulatorControl(elsewhere.url);
  closedPort = await freePort();
  await control.reset(seed());
  organizationJson = await control.storedOrganization(SLUG);
  delete organizationJson.owner_key_id;
});

afterAll(async () => {
  await emulator?.close();
  await elsewhere?.close();

  const lines = [
    "| fault | method | attempts | waits (ms) | outcome |",
    "| --- | --- | --- | --- | --- |",
    ...table.map(
      (entry) =>
        `| ${entry.fault} | ${entry.method} | ${entry.attempts} | ${entry.waits.join(", ") || "none"} | ${entry.outcome} |`,
    ),
  ];
  const directory = resolve(__dirname, "..", ".tmp");
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "fault-matrix.md"), `${lines.join("\n")}\n`);
});

beforeEach(async () => {
  await control.reset(seed());
  await elsewhereControl.clearRequests();
});

describe("fault matrix", () => {
  for (const row of ROWS) {
    for (const method of METHODS) {
      it(`${row.fault}, ${method}`, async () => {
        const expected = expectedFor(row, method);
        const setup = row.setup(method);
        const slug = setup.slug ?? SLUG;
        const path = `/v1/orgs/${slug}/`;
        const state = { ...(await currentState()), slug };
        const newName = `Renamed ${method}`;
        const storedBefore = await control.storedOrganization(SLUG);
        await control.clearRequests();
        for (const spec of setup.faults ?? []) {
          await control.addFault(spec);
        }

        const clock = new VirtualClock();
        const lines: string[] = [];
        const client = buildClient(clock, lines, setup.client);
        let result: unknown;
        try {
          if (method === "GET") {
            result = await readOrganization(client, slug, state);
          } else {
            const inputs = { slug, name: newName, allowedDomains: setup.allowedDomains ?? state.allowedDomains };
            result = await updateOrganization(client, state, inputs);
          }
        } catch (error) {
          result = error;
        } finally {
          await client.close();
        }

        const seen = (await control.requests()).filter((entry) => entry.method === method && entry.path === path);
        const outcome = describeOutcome(result);
        table.push({ fault: row.fault, method, attempts: expected.attempts, waits: clock.waits, outcome });
        producedTexts.push(...lines, ...errorTexts(result));

        expect(seen.length).toBe(expected.reached ?? expected.attempts);
        expect(clock.waits).toEqual(expected.waits);
        expect(lines.length).toBe(expected.attempts);
        expect(lines.filter((line) => line.includes("retrying in")).length).toBe(expected.waits.length);
        expectNoSecrets([...lines, ...errorTexts(result)]);

        if (expected.outcome === "success") {
          expect(result, outcome).not.toBeInstanceOf(Error);
          expect(result).toBeDefined();
          if (method === "PATCH") {
            expect((result as OrganizationOutputs).name).toBe(newName);
            expect((await control.storedOrganization(SLUG)).name).toBe(newName);
          }
          return;
        }
        if (expected.outcome === "gone") {
          expect(result).toBeUndefined();
          return;
        }

        expect(result).toBeInstanceOf(expected.outcome);
        const error = result as EgretError;
        expect(error.code).toBe(expected.code);
        expect(error.attempts).toBe(expected.attempts);
        expect(error.method).toBe(method);
        expect(error.path).toBe(path);
        expected.check?.(error);
        if (method === "PATCH") {
          expect((await control.storedOrganization(SLUG)).name).toBe(storedBefore.name);
        }
      });
    }
  }

  it("redirect sends nothing to the other origin", async () => {
    expect(table.some((entry) => entry.fault === "301 redirect to another origin")).toBe(true);
    expect(await elsewhereControl.requests()).toEqual([]);
  });

  it("reports gone only on the API's 404", () => {
    const reads = table.filter((entry) => entry.method === "GET");

    expect(reads.length).toBe(ROWS.length);
    for (const entry of reads) {
      expect(entry.outcome === "gone", entry.fault).toBe(entry.fault === "404 (unknown slug)");
    }
  });

  it("never shows the API key", () => {
    expect(producedTexts.length).toBeGreaterThan(ROWS.length * 2);
    expectNoSecrets(producedTexts);
  });
});

describe("read on other statuses", () => {
  for (const status of [400, 401, 403, 405, 409, 410, 415, 422, 429, 500, 501, 502, 503, 504]) {
    it(`raises on ${status}`, async () => {
      const state = await currentState();
      await control.addFault(fault({ status, times: 4 }, "GET"));
      const client = buildClient(new VirtualClock(), []);

      const read = readOrganization(client, SLUG, state);

      await expect(read).rejects.toBeInstanceOf(EgretError);
      await client.close();
    });
  }
});

describe("create through faults", () => {
  it("retries the GET, then adopts", async () => {
    await control.addFault(fault({ status: 503 }, "GET"));
    const clock = new VirtualClock();
    const client = buildClient(clock, []);

    const outputs = await createOrganization(client, { slug: SLUG, name: "Adopted Through 503" });
    await client.close();

    const seen = (await control.requests()).map((entry) => [entry.method, entry.status]);
    expect(seen).toEqual([
      ["GET", 503],
      ["GET", 200],
      ["PATCH", 200],
    ]);
    expect(clock.waits).toEqual(BACKOFF.slice(0, 1));
    expect(outputs.name).toBe("Adopted Through 503");
  });

  it("keeps the adoption when every PATCH fails", async () => {
    await control.addFault(fault({ status: 502, times: 4 }, "PATCH"));
    const client = buildClient(new VirtualClock(), []);

    const adoption = await createOrganization(client, { slug: SLUG, name: "Never Set" }).catch((error: unknown) => error);
    await client.close();

    expect(adoption).toBeInstanceOf(OrganizationInitError);
    const error = adoption as OrganizationInitError;
    expect(error.cause).toBeInstanceOf(EgretServerError);
    expect((error.cause as EgretServerError).attempts).toBe(4);
    expect(error.properties.adoptedName).toBe("Egret AI");
    expect(error.message).toContain("after 4 attempts");
    expectNoSecrets(errorTexts(error));
  });

  it("fails on an unknown slug", async () => {
    const client = buildClient(new VirtualClock(), []);

    const adoption = createOrganization(client, { slug: MISSING_SLUG, name: "x" });

    await expect(adoption).rejects.toBeInstanceOf(OrganizationNotFoundError);
    await client.close();
  });
});
