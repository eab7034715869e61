import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  backoffDelay,
  ConcurrencyLimiter,
  DEFAULTS,
  EgretAuthenticationError,
  EgretClient,
  EgretConfigurationError,
  EgretConnectionError,
  EgretError,
  EgretInvalidArgumentError,
  EgretNotFoundError,
  EgretPermissionError,
  EgretRateLimitError,
  EgretRedirectError,
  EgretRequestRejectedError,
  EgretServerError,
  EgretTimeoutError,
  EgretUnexpectedResponseError,
  EgretValidationError,
  formatAttempt,
  isEgretError,
  loggerFromEnv,
  parseRetryAfter,
  resolveApiUrl,
  resolveTuning,
  stderrLogger,
  type Clock,
  type EgretErrorCode,
} from "../sdk";
import { defaultSeed, DEMO_KEY, startEmulator, type RunningEmulator } from "../sdk/emulator";
import { resolveSettings } from "../provider/settings";
import { EmulatorControl } from "./helpers/emulator";

const NOW = Date.UTC(2026, 0, 1, 0, 0, 0);

/** A distinctive key for the requests in this file; it must never show in output. */
const API_KEY = "egret_sdk_Jt5Gw9Pb3Xe7Hq2M";

describe("parseRetryAfter", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("3", NOW)).toBe(3000);
    expect(parseRetryAfter("0", NOW)).toBe(0);
    expect(parseRetryAfter(" 120 ", NOW)).toBe(120_000);
  });

  it("reads the three HTTP-date forms", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:07 GMT", NOW)).toBe(7000);
    expect(parseRetryAfter("Thursday, 01-Jan-26 00:00:09 GMT", NOW)).toBe(9000);
    expect(parseRetryAfter("Thu Jan  1 00:00:11 2026", NOW)).toBe(11_000);
  });

  it("gives 0 for a past date", () => {
    expect(parseRetryAfter("Wed, 31 Dec 2025 23:59:00 GMT", NOW)).toBe(0);
  });

  it("rejects malformed values", () => {
    for (const value of ["", "1.5", "-1", "+3", "soon", "2026-01-01T00:00:07Z", "3 seconds", "Thu, 01 Jan 2026"]) {
      expect(parseRetryAfter(value, NOW), value).toBeUndefined();
    }
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe("backoffDelay", () => {
  it("doubles from the base", () => {
    const none = (): number => 0;

    expect([1, 2, 3, 4].map((retry) => backoffDelay(retry, 500, 30_000, none))).toEqual([500, 1000, 2000, 4000]);
  });

  it("stops at the cap", () => {
    expect(backoffDelay(10, 500, 8000, () => 0)).toBe(8000);
    expect(backoffDelay(2000, 500, 8000, () => 0)).toBe(8000);
  });

  it("jitters down by at most a quarter", () => {
    expect(backoffDelay(1, 1000, 30_000, () => 0.5)).toBe(875);
    expect(backoffDelay(1, 1000, 30_000, () => 0.999_999)).toBe(750);
    expect(backoffDelay(3, 1000, 30_000, () => 0.25)).toBe(3750);
  });

  it("is 0 with a zero base", () => {
    expect(backoffDelay(3, 0, 30_000, () => 0.5)).toBe(0);
  });
});

describe("resolveApiUrl", () => {
  it("defaults to the production API", () => {
    expect(resolveApiUrl(undefined)).toBe("https://api.getegret.com");
  });

  it("keeps a path and drops the trailing slash", () => {
    expect(resolveApiUrl("https://gateway.example.com/egret/")).toBe("https://gateway.example.com/egret");
    expect(resolveApiUrl(" https://api.getegret.com/ ")).toBe("https://api.getegret.com");
  });

  it("allows http on loopback hosts", () => {
    for (const url of ["http://127.0.0.1:8787", "http://127.4.5.6", "http://localhost:9000", "http://[::1]:8787"]) {
      expect(resolveApiUrl(url), url).toBe(url);
    }
  });

  it("rejects http elsewhere, naming the value", () => {
    for (const url of ["http://api.getegret.com", "http://10.0.0.5:8787", "http://127.0.0.1.example.com", "ftp://api.getegret.com"]) {
      expect(() => resolveApiUrl(url, "egret:apiUrl"), url).toThrow(EgretConfigurationError);
      expect(() => resolveApiUrl(url, "egret:apiUrl"), url).toThrow(`invalid egret:apiUrl '${url}'`);
    }
  });

  it("rejects credentials without echoing them", () => {
    const attempt = (): string => resolveApiUrl("https://user:hunter2@api.getegret.com", "EGRET_API_URL");

    expect(attempt).toThrow("invalid EGRET_API_URL: it contains credentials");
    expect(attempt).not.toThrow(/hunter2/);
  });

  it("rejects a query string without echoing it", () => {
    const attempt = (): string => resolveApiUrl("https://api.getegret.com/?token=secret-value");

    expect(attempt).toThrow("remove the query string");
    expect(attempt).not.toThrow(/secret-value/);
  });

  it("masks credentials in text that is no URL", () => {
    const attempt = (): string => resolveApiUrl("https://user:s3cretpw@exa mple.com", "egret:apiUrl");

    expect(attempt).toThrow("invalid egret:apiUrl 'https://***@exa mple.com'");
    expect(attempt).not.toThrow(/s3cretpw/);
  });

  it("rejects text that is no URL", () => {
    expect(() => resolveApiUrl("api.getegret.com", "egret:apiUrl")).toThrow(
      "invalid egret:apiUrl 'api.getegret.com': expected an absolute URL",
    );
  });
});

describe("resolveTuning", () => {
  it("applies the defaults", () => {
    expect(resolveTuning({})).toEqual(DEFAULTS);
  });

  it("names the invalid option", () => {
    expect(() => resolveTuning({ maxAttempts: 0 })).toThrow("invalid maxAttempts 0: expected a whole number from 1");
    expect(() => resolveTuning({ retryBaseDelayMs: 1.5 })).toThrow("invalid retryBaseDelayMs 1.5");
    expect(() => resolveTuning({ attemptTimeoutMs: 2 ** 31 })).toThrow("invalid attemptTimeoutMs 2147483648");
  });
});

describe("resolveSettings", () => {
  const config = (values: Record<string, string>) => (key: string) => values[key];

  it("prefers config over the environment", () => {
    const settings = resolveSettings(config({ "egret:apiKey": "egret_from_config", "egret:maxAttempts": "6" }), {
      EGRET_API_KEY: "egret_from_env",
      EGRET_MAX_ATTEMPTS: "2",
      EGRET_RETRY_BASE_DELAY_MS: "250",
    });

    expect(settings.apiKey).toBe("egret_from_config");
    expect(settings.apiKeySource).toBe("egret:apiKey");
    expect(settings.tuning).toEqual({ maxAttempts: 6, retryBaseDelayMs: 250 });
  });

  it("falls back to the environment", () => {
    const settings = resolveSettings(config({ "egret:apiKey": " " }), {
      EGRET_API_KEY: "egret_from_env",
      EGRET_API_URL: "http://127.0.0.1:8787/",
      EGRET_ATTEMPT_TIMEOUT_MS: "5000",
      EGRET_DEADLINE_MS: "60000",
      EGRET_RETRY_MAX_DELAY_MS: "9000",
      EGRET_MAX_CONCURRENT_REQUESTS: "3",
    });

    expect(settings.apiKeySource).toBe("EGRET_API_KEY");
    expect(settings.apiUrl).toBe("http://127.0.0.1:8787");
    expect(settings.tuning).toEqual({
      attemptTimeoutMs: 5000,
      deadlineMs: 60_000,
      retryMaxDelayMs: 9000,
      maxConcurrentRequests: 3,
    });
  });

  it("names a bad number and its source", () => {
    expect(() => resolveSettings(config({ "egret:maxAttempts": "four" }), {})).toThrow(
      "invalid egret:maxAttempts 'four': expected a whole number (default 4)",
    );
    expect(() => resolveSettings(config({}), { EGRET_ATTEMPT_TIMEOUT_MS: "1e4" })).toThrow(
      "invalid EGRET_ATTEMPT_TIMEOUT_MS '1e4'",
    );
    expect(() => resolveSettings(config({}), { EGRET_MAX_ATTEMPTS: "0" })).toThrow(
      "invalid EGRET_MAX_ATTEMPTS '0': expected a whole number from 1",
    );
    expect(() => resolveSettings(config({ "egret:deadlineMs": "99999999999" }), {})).toThrow(
      "invalid egret:deadlineMs '99999999999': expected a whole number from 1 to 2147483647",
    );
  });

  it("names a bad URL and its source", () => {
    expect(() => resolveSettings(config({}), { EGRET_API_URL: "http://api.getegret.com" })).toThrow(
      "invalid EGRET_API_URL 'http://api.getegret.com'",
    );
  });

  it("never names the key by value", () => {
    const attempt = (): unknown => resolveSettings(config({ "egret:apiKey": API_KEY, "egret:apiUrl": "http://example.com" }), {});

    expect(attempt).toThrow(EgretConfigurationError);
    expect(attempt).not.toThrow(API_KEY);
  });
});

describe("error classes", () => {
  const cases: Array<[EgretError, EgretErrorCode]> = [
    [new EgretAuthenticationError("m", { status: 401 }), "EGRET_AUTHENTICATION"],
    [new EgretPermissionError("m", { status: 403 }), "EGRET_PERMISSION"],
    [new EgretNotFoundError("m", { status: 404 }), "EGRET_NOT_FOUND"],
    [new EgretValidationError("m", { status: 400, fieldErrors: { name: ["blank"] } }), "EGRET_VALIDATION"],
    [new EgretRateLimitError("m", { status: 429, retryAfterMs: 1000 }), "EGRET_RATE_LIMIT"],
    [new EgretServerError("m", { status: 503 }), "EGRET_SERVER"],
    [new EgretRequestRejectedError("m", { status: 405 }), "EGRET_REQUEST_REJECTED"],
    [new EgretRedirectError("m", { status: 301, location: "https://elsewhere.example" }), "EGRET_REDIRECT"],
    [new EgretConnectionError("m", {}), "EGRET_CONNECTION"],
    [
      new EgretTimeoutError("m", { limit: "attempt", timeoutMs: 1, attemptTimeoutMs: 1, deadlineMs: 2 }),
      "EGRET_TIMEOUT",
    ],
    [new EgretUnexpectedResponseError("m", { status: 200, excerpt: "<html>" }), "EGRET_UNEXPECTED_RESPONSE"],
    [new EgretConfigurationError("m"), "EGRET_CONFIGURATION"],
    [new EgretInvalidArgumentError("m"), "EGRET_INVALID_ARGUMENT"],
  ];

  it("each has its own code", () => {
    const codes = cases.map(([, code]) => code);

    expect(new Set(codes).size).toBe(cases.length);
    for (const [error, code] of cases) {
      expect(error.code).toBe(code);
    }
  });

  it("all extend EgretError", () => {
    for (const [error, code] of cases) {
      expect(error).toBeInstanceOf(EgretError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
      expect(isEgretError(error, code)).toBe(true);
      expect(isEgretError(error, code === "EGRET_SERVER" ? "EGRET_TIMEOUT" : "EGRET_SERVER")).toBe(false);
    }
  });

  it("keep request fields", () => {
    const error = new EgretServerError("m", { method: "GET", path: "/v1/orgs/a/", attempts: 3, status: 502, detail: "d" });

    expect([error.method, error.path, error.attempts, error.status, error.detail]).toEqual(["GET", "/v1/orgs/a/", 3, 502, "d"]);
    expect(new EgretConfigurationError("m").attempts).toBe(0);
    expect(isEgretError(new Error("plain"))).toBe(false);
  });
});

describe("client options", () => {
  it("requires an API key", () => {
    expect(() => new EgretClient({ apiKey: " ", apiKeySource: "egret:apiKey" })).toThrow(
      "missing Egret API key (egret:apiKey)",
    );
  });

  it("rejects a key with whitespace without showing it", () => {
    const key = "egret_abc def";
    const attempt = (): EgretClient => new EgretClient({ apiKey: key, apiKeySource: "EGRET_API_KEY", apiUrl: "http://127.0.0.1:1" });

    expect(attempt).toThrow("invalid Egret API key (EGRET_API_KEY): it contains whitespace");
    expect(attempt).not.toThrow(/abc def/);
  });

  it("rejects a key outside printable ASCII", () => {
    const attempt = (): EgretClient => new EgretClient({ apiKey: "egret_k\u00e9y", apiKeySource: "egret:apiKey", apiUrl: "http://127.0.0.1:1" });

    expect(attempt).toThrow(EgretConfigurationError);
    expect(attempt).toThrow("outside printable ASCII");
  });

  it("rejects plain http to another host", () => {
    expect(() => new EgretClient({ apiKey: API_KEY, apiUrl: "http://api.getegret.com" })).toThrow(EgretConfigurationError);
  });

  it("rejects an invalid slug before sending", async () => {
    const client = new EgretClient({ apiKey: API_KEY, apiUrl: "http://127.0.0.1:1" });

    await expect(client.getOrganization("../admin")).rejects.toBeInstanceOf(EgretInvalidArgumentError);
    await client.close();
  });
});

describe("logging", () => {
  it("is off by default", () => {
    expect(loggerFromEnv({})).toBeUndefined();
    expect(loggerFromEnv({ EGRET_LOG: "info" })).toBeUndefined();
  });

  it("turns on with EGRET_LOG=debug", () => {
    expect(loggerFromEnv({ EGRET_LOG: "debug" })).toBe(stderrLogger);
    expect(loggerFromEnv({ EGRET_LOG: " DEBUG " })).toBe(stderrLogger);
  });

  it("formats one attempt per line", () => {
    const base = { method: "GET", path: "/v1/orgs/a/", attempt: 1, maxAttempts: 4, durationMs: 12 };

    expect(formatAttempt({ ...base, status: 503, retryInMs: 438 })).toBe(
      "GET /v1/orgs/a/ attempt 1/4: 503 in 12 ms; retrying in 438 ms",
    );
    expect(formatAttempt({ ...base, attempt: 4, error: "ECONNRESET" })).toBe("GET /v1/orgs/a/ attempt 4/4: ECONNRESET in 12 ms");
    expect(formatAttempt({ ...base, status: 200, error: "body cut short, UND_ERR_SOCKET" })).toBe(
      "GET /v1/orgs/a/ attempt 1/4: 200 (body cut short, UND_ERR_SOCKET) in 12 ms",
    );
  });
});

describe("ConcurrencyLimiter", () => {
  it("caps tasks in flight", async () => {
    const limiter = new ConcurrencyLimiter(3);
    let running = 0;
    let highest = 0;
    const releases: Array<() => void> = [];
    const task = (): Promise<void> =>
      limiter.run(async () => {
        running += 1;
        highest = Math.max(highest, running);
        await new Promise<void>((release) => releases.push(release));
        running -= 1;
      });

    const all = Promise.all(Array.from({ length: 10 }, task));
    while (releases.length > 0 || running > 0) {
      await new Promise((tick) => setImmediate(tick));
      releases.shift()?.();
    }
    await all;

    expect(highest).toBe(3);
  });

  it("holds tasks while paused, retries first", async () => {
    let now = 0;
    const sleeps: number[] = [];
    const clock: Clock = {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
    };
    const limiter = new ConcurrencyLimiter(1, clock);
    const order: string[] = [];

    limiter.pause(1000);
    await Promise.all([
      limiter.run(async () => void order.push("new 1")),
      limiter.run(async () => void order.push("retry"), true),
      limiter.run(async () => void order.push("new 2")),
    ]);

    expect(sleeps).toEqual([1000]);
    expect(order).toEqual(["retry", "new 1", "new 2"]);
  });

  it("starts waiting tasks in arrival order", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const order: number[] = [];

    await Promise.all([1, 2, 3, 4].map((index) => limiter.run(async () => void order.push(index))));

    expect(order).toEqual([1, 2, 3, 4]);
  });
});

describe("client against the emulator", () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;

  const clock: Clock = { now: () => Date.now(), sleep: async () => undefined };

  function client(options: Partial<ConstructorParameters<typeof EgretClient>[0]> = {}): EgretClient {
    return new EgretClient({ apiKey: API_KEY, apiKeySource: "egret:apiKey", apiUrl: emulator.url, clock, ...options });
  }

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    control = new EmulatorControl(emulator.url);
  });

  afterAll(async () => {
    await emulator?.close();
  });

  beforeEach(async () => {
    const seed = defaultSeed();
    await control.reset({
      ...seed,
      keys: { [API_KEY]: { email: "you@example.com" } },
      organizations: seed.organizations
        .filter((organization) => organization.owner_key === DEMO_KEY)
        .map((organization) => ({ ...organization, owner_key: API_KEY })),
    });
  });

  it("lists organizations", async () => {
    const api = client();

    const organizations = await api.listOrganizations();
    await api.close();

    expect(organizations.map((organization) => organization.slug)).toEqual(["egret-ai", "egret-labs"]);
    expect(organizations[0]?.storageUsedMb).toBe(0.39);
  });

  it("lists each field's messages on a 400", async () => {
    const api = client();

    const error = await api
      .updateOrganization("egret-ai", { name: "   ", allowedDomains: ["astrology"] })
      .catch((caught: unknown) => caught);
    await api.close();

    expect(error).toBeInstanceOf(EgretValidationError);
    const validation = error as EgretValidationError;
    expect(validation.fieldErrors).toEqual({
      name: ["This field may not be blank."],
      allowed_domains: ["Unknown domain: astrology"],
    });
    expect(validation.message).toContain("name: This field may not be blank.");
    expect(validation.message).toContain("allowed_domains: Unknown domain: astrology");
    expect(validation.message).toContain("Fix these values and run again.");
  });

  it("sends the attempt number", async () => {
    await control.addFault({ method: "GET", status: 503 });
    const api = client({ retryBaseDelayMs: 0 });

    await api.getOrganization("egret-ai");
    await api.close();

    expect((await control.requests()).map((entry) => entry.status)).toEqual([503, 200]);
  });

  it("surfaces the deadline during an attempt", async () => {
    await control.addFault({ method: "GET", status: 503, delayMs: 60_000 });
    const api = client({ clock: undefined, deadlineMs: 150, attemptTimeoutMs: 10_000 });

    const error = await api.getOrganization("egret-ai").catch((caught: unknown) => caught);
    await api.close();

    expect(error).toBeInstanceOf(EgretTimeoutError);
    const timeout = error as EgretTimeoutError;
    expect(timeout.limit).toBe("deadline");
    expect(timeout.attempts).toBe(1);
    expect(timeout.timeoutMs).toBe(150);
    expect(timeout.attemptTimeoutMs).toBe(10_000);
    expect(timeout.deadlineMs).toBe(150);
    expect(timeout.message).toContain("the deadline of 150 ms (deadlineMs) ran out during attempt 1");
  });

  it("quotes an HTML 200 as unexpected", async () => {
    await control.addFault({ method: "GET", status: 200, headers: { "Content-Type": "text/html" }, body: "<html><body>Sign in to continue</body></html>" });
    const api = client();

    const error = await api.getOrganization("egret-ai").catch((caught: unknown) => caught);
    await api.close();

    expect(error).toBeInstanceOf(EgretUnexpectedResponseError);
    expect((error as EgretUnexpectedResponseError).excerpt).toBe("<html><body>Sign in to continue</body></html>");
    expect((error as EgretError).attempts).toBe(1);
  });

  it("masks a key the server echoes", async () => {
    await control.addFault({ method: "GET", status: 403, body: { detail: `Key ${API_KEY} is suspended.` } });
    const api = client();

    const error = await api.getOrganization("egret-ai").catch((caught: unknown) => caught);
    await api.close();

    expect(error).toBeInstanceOf(EgretPermissionError);
    expect((error as Error).message).toContain("Key [redacted] is suspended.");
    expect((error as Error).message).not.toContain(API_KEY);
  });

  it("cuts a long excerpt", async () => {
    await control.addFault({ method: "GET", status: 200, body: `<html>${"x".repeat(1000)}</html>` });
    const api = client();

    const error = (await api.getOrganization("egret-ai").catch((caught: unknown) => caught)) as EgretUnexpectedResponseError;
    await api.close();

    expect(error.excerpt.length).toBe(163);
    expect(error.excerpt.endsWith("...")).toBe(true);
  });

  describe("EGRET_LOG in a child process", () => {
    const root = resolve(__dirname, "..");
    const built = resolve(root, "dist/sdk/index.js");

    /** Runs one GET in a new Node process, as a provider process would, and returns its stdout and stderr. */
    function runChild(env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
      const script = `
        const { EgretClient } = require(${JSON.stringify(built)});
        const client = new EgretClient({
          apiKey: process.env.EGRET_API_KEY,
          apiKeySource: "EGRET_API_KEY",
          apiUrl: process.env.EGRET_API_URL,
          retryBaseDelayMs: 1,
        });
        client.getOrganization("egret-ai").then(
          (organization) => console.log("read", organization.slug),
          (error) => console.log("failed", error.code, error.message),
        ).finally(() => client.close());
      `;
      return new Promise((done, fail) => {
        const child = spawn(process.execPath, ["-e", script], {
          env: { PATH: process.env.PATH ?? "", EGRET_API_URL: emulator.url, ...env },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("error", fail);
        child.on("close", () => done({ stdout, stderr }));
      });
    }

    beforeAll(() => {
      if (!existsSync(built)) {
        throw new Error(`${built} is missing: run npm run build first`);
      }
    });

    it("logs each attempt", async () => {
      await control.addFault({ method: "GET", status: 503 });

      const { stdout, stderr } = await runChild({ EGRET_LOG: "debug", EGRET_API_KEY: API_KEY });

      expect(stdout.trim()).toBe("read egret-ai");
      const lines = stderr.trim().split("\n");
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^\[egret\] GET \/v1\/orgs\/egret-ai\/ attempt 1\/4: 503 in \d+ ms; retrying in \d+ ms$/);
      expect(lines[1]).toMatch(/^\[egret\] GET \/v1\/orgs\/egret-ai\/ attempt 2\/4: 200 in \d+ ms$/);
      expect(stderr).not.toContain(API_KEY);
      expect(stderr.toLowerCase()).not.toContain("authorization");
    });

    it("logs nothing without EGRET_LOG", async () => {
      await control.addFault({ method: "GET", status: 503 });

      const { stdout, stderr } = await runChild({ EGRET_API_KEY: API_KEY });

      expect(stdout.trim()).toBe("read egret-ai");
      expect(stderr).toBe("");
    });

    it("names the key source on a 401", async () => {
      const wrongKey = "egret_wrong_Ls6Dv1Nc8Ak3Yf0T";

      const { stdout, stderr } = await runChild({ EGRET_LOG: "debug", EGRET_API_KEY: wrongKey });

      expect(stdout).toContain("failed EGRET_AUTHENTICATION");
      expect(stdout).toContain("The API key from EGRET_API_KEY was not accepted");
      expect(stdout + stderr).not.toContain(wrongKey);
      expect(stderr).toContain("attempt 1/4: 401");
    });
  });
});

describe("oversized response body", () => {
  it("stops reading past 16 MiB", async () => {
    const { createServer } = await import("node:http");
    const chunk = Buffer.alloc(1024 * 1024, "a");
    let written = 0;
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const writeMore = (): void => {
        while (written < 64 && !response.destroyed) {
          written += 1;
          if (!response.write(chunk)) {
            response.once("drain", writeMore);
            return;
          }
        }
        response.end();
      };
      writeMore();
    });
    await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
    const { port } = server.address() as { port: number };
    const api = new EgretClient({ apiKey: API_KEY, apiUrl: `http://127.0.0.1:${port}`, maxAttempts: 1 });

    const error = await api.getOrganization("egret-ai").catch((caught: unknown) => caught);
    await api.close();
    server.closeAllConnections();
    await new Promise((closed) => server.close(closed));

    expect(error).toBeInstanceOf(EgretUnexpectedResponseError);
    expect((error as EgretUnexpectedResponseError).message).toContain("larger than 16 MiB");
    expect(written).toBeLessThan(64);
  });
});
