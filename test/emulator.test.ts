import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import ts from "typescript";
import { Agent, request } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { defaultSeed, keyIdOf, startEmulator } from "../sdk/emulator";
import type { EmulatorSeed, RunningEmulator } from "../sdk/emulator";

const DEMO_KEY = "egret_demo_key";
const OTHER_KEY = "egret_other_key";
const SUSPENDED_KEY = "egret_suspended_key";

/**
 * A seed whose syntax error (an unquoted value) sits right after an API key, so that V8's
 * JSON.parse message quotes part of the key.
 */
const SEED_WITH_SYNTAX_ERROR = '{\n  "domains": [],\n  "keys": {"egret_seed_secret": x}\n}';

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** The organization of the vendor's sample response, in the documented field order. */
const EGRET_AI = {
  id: "0d4f8133-cefb-47da-8a7b-fb118b1895e9",
  slug: "egret-ai",
  name: "Egret AI",
  owner_email: "you@example.com",
  s3_prefix: "orgs/egret-ai/",
  allowed_domains: [],
  max_documents: 50,
  max_storage_bytes: 524288000,
  max_storage_mb: 500,
  max_members: 5,
  document_count: 1,
  storage_used_bytes: 408970,
  storage_used_mb: 0.39,
  member_count: 1,
  kb_status: "active",
  is_active: true,
  created_at: "2026-03-25T21:54:52.674567Z",
  updated_at: "2026-03-25T21:54:52.674598Z",
};

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

interface CallOptions {
  key?: string | null;
  authorization?: string;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
}

// One agent per file, closed at the end, so that no kept-alive socket outlives the tests.
const agent = new Agent();

async function call(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  const key = options.key === undefined ? DEMO_KEY : options.key;
  if (options.authorization !== undefined) {
    headers.authorization = options.authorization;
  } else if (key !== null) {
    headers.authorization = `Bearer ${key}`;
  }

  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
  }
  if (body !== undefined) {
    headers["content-type"] = options.contentType ?? "application/json";
  }

  const response = await request(`${baseUrl}${path}`, { method: method as "GET", headers, body, dispatcher: agent });
  const text = await response.body.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: the test looks at `text`.
  }
  return { status: response.statusCode, headers: response.headers, text, json };
}

let emulator: RunningEmulator;

function api(method: string, path: string, options?: CallOptions): Promise<Reply> {
  return call(emulator.url, method, path, options);
}

function control(method: string, path: string, body?: unknown): Promise<Reply> {
  return call(emulator.url, method, `/_emulator/${path}`, { key: null, body });
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return (error as { code?: string }).code ?? cause?.code ?? String(error);
}

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator.close();
  await agent.close();
});

beforeEach(async () => {
  const reply = await control("POST", "reset");
  expect(reply.status).toBe(200);
});

describe("startEmulator", () => {
  it("url is loopback without slash", () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("rejects an invalid seed", async () => {
    const seed = { domains: [], keys: {}, organizations: [{ owner_key: "missing", slug: "x" }] } as EmulatorSeed;
    await expect(startEmulator({ seed })).rejects.toThrow(/owner_key must be one of the seed's keys/);
  });

  it("close ends kept-alive connections", async () => {
    const local = await startEmulator();
    const keepAlive = new Agent({ keepAliveTimeout: 60_000 });
    const response = await request(`${local.url}/v1/orgs/`, {
      headers: { authorization: `Bearer ${DEMO_KEY}` },
      dispatcher: keepAlive,
    });
    await response.body.text();

    const started = Date.now();
    await local.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await keepAlive.close();
  });

  it("close cancels a delayed fault", async () => {
    const local = await startEmulator();
    await call(local.url, "POST", "/_emulator/faults", { key: null, body: { delayMs: 60_000 } });
    const pending = call(local.url, "GET", "/v1/orgs/").catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = Date.now();
    await local.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe("defaultSeed", () => {
  it("returns a fresh copy", () => {
    const first = defaultSeed();
    (first.organizations[0] as Record<string, unknown>).name = "Changed";
    expect(defaultSeed().organizations[0]?.name).toBe("Egret AI");
  });

  it("contains the documented keys and domains", () => {
    const seed = defaultSeed();
    expect(Object.keys(seed.keys)).toEqual([DEMO_KEY, OTHER_KEY, SUSPENDED_KEY]);
    expect(seed.keys[SUSPENDED_KEY]?.active).toBe(false);
    expect(seed.domains).toContain("business-continuity");
  });
});

describe("API list and get", () => {
  it("list returns the key's organizations", async () => {
    const reply = await api("GET", "/v1/orgs/");

    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/json");
    const organizations = reply.json as Array<Record<string, unknown>>;
    expect(organizations.map((organization) => organization.slug)).toEqual(["egret-ai", "egret-labs"]);
    expect(organizations[1]?.name).toBe("Egret Labs");
  });

  it("get matches the vendor sample", async () => {
    const reply = await api("GET", "/v1/orgs/egret-ai/");

    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(EGRET_AI);
    expect(Object.keys(reply.json as object)).toEqual(Object.keys(EGRET_AI));
    expect(reply.text).not.toContain("owner_key");
  });

  it("get of another user's organization is 404", async () => {
    const reply = await api("GET", "/v1/orgs/other-co/");

    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ detail: "Not found." });
  });

  it("get of unknown slug is 404", async () => {
    const reply = await api("GET", "/v1/orgs/no-such-org/");

    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ detail: "Not found." });
  });

  it("other key sees only its organization", async () => {
    const list = await api("GET", "/v1/orgs/", { key: OTHER_KEY });
    const mine = await api("GET", "/v1/orgs/other-co/", { key: OTHER_KEY });
    const demo = await api("GET", "/v1/orgs/egret-ai/", { key: OTHER_KEY });

    expect((list.json as Array<{ slug: string }>).map((organization) => organization.slug)).toEqual(["other-co"]);
    expect(mine.status).toBe(200);
    expect(demo.status).toBe(404);
  });

  it("slug is percent-decoded", async () => {
    const reply = await api("GET", "/v1/orgs/egret%2Dai/");

    expect(reply.status).toBe(200);
    expect((reply.json as { slug: string }).slug).toBe("egret-ai");
  });

  it("invalid slug is HTML 404", async () => {
    for (const path of ["/v1/orgs/bad.slug/", "/v1/orgs/egret%2Fai/", "/v1/orgs/%zz/"]) {
      const reply = await api("GET", path);
      expect(reply.status, path).toBe(404);
      expect(reply.headers["content-type"], path).toBe("text/html; charset=utf-8");
      expect(reply.text, path).toContain("<h1>Not Found</h1>");
    }
  });

  it("unknown route is HTML 404", async () => {
    const reply = await api("GET", "/v1/teams/");

    expect(reply.status).toBe(404);
    expect(reply.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(reply.text).toContain("Not Found");
  });

  it("HEAD sends headers without body", async () => {
    const reply = await api("HEAD", "/v1/orgs/egret-ai/");

    expect(reply.status).toBe(200);
    expect(reply.text).toBe("");
    expect(Number(reply.headers["content-length"])).toBeGreaterThan(0);
  });

  it("OPTIONS describes the view", async () => {
    const reply = await api("OPTIONS", "/v1/orgs/egret-ai/");

    expect(reply.status).toBe(200);
    expect(reply.headers.allow).toBe("GET, PATCH, HEAD, OPTIONS");
    expect((reply.json as { parses: string[] }).parses).toEqual(["application/json"]);
  });

  it("extra seed fields are serialized last", async () => {
    const seed = defaultSeed();
    Object.assign(seed.organizations[0] as object, { plan: "team", region: null });
    await control("POST", "reset", seed);

    const reply = await api("GET", "/v1/orgs/egret-ai/");
    const fields = Object.keys(reply.json as object);

    expect(fields.slice(-2)).toEqual(["plan", "region"]);
    expect((reply.json as { plan: string }).plan).toBe("team");
  });

  it("MB fields are computed from bytes", async () => {
    await control("PATCH", "orgs/egret-ai", { storage_used_bytes: 1_572_864, max_storage_bytes: 1_073_741_824 });
    const large = (await api("GET", "/v1/orgs/egret-ai/")).json as Record<string, number>;
    await control("PATCH", "orgs/egret-ai", { storage_used_bytes: 5_000_000 });
    const rounded = (await api("GET", "/v1/orgs/egret-ai/")).json as Record<string, number>;

    expect(large.storage_used_mb).toBe(1.5);
    expect(large.max_storage_mb).toBe(1024);
    expect(rounded.storage_used_mb).toBe(4.77);
  });
});

describe("API authentication", () => {
  it("missing header is 401 with challenge", async () => {
    const reply = await api("GET", "/v1/orgs/", { key: null });

    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe("Bearer");
    expect(reply.json).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("other scheme counts as missing", async () => {
    const reply = await api("GET", "/v1/orgs/", { authorization: `Token ${DEMO_KEY}` });

    expect(reply.status).toBe(401);
    expect(reply.json).toEqual({ detail: "Authentication credentials were not provided." });
  });

  it("unknown key is 401", async () => {
    const reply = await api("GET", "/v1/orgs/", { key: "egret_wrong_key" });

    expect(reply.status).toBe(401);
    expect(reply.headers["www-authenticate"]).toBe("Bearer");
    expect(reply.json).toEqual({ detail: "Invalid token." });
  });

  it("malformed bearer header is 401", async () => {
    const empty = await api("GET", "/v1/orgs/", { authorization: "Bearer" });
    const spaced = await api("GET", "/v1/orgs/", { authorization: "Bearer egret_demo_key extra" });

    expect(empty.status).toBe(401);
    expect(empty.json).toEqual({ detail: "Invalid token header. No credentials provided." });
    expect(spaced.status).toBe(401);
    expect(spaced.json).toEqual({ detail: "Invalid token header. Token string should not contain spaces." });
  });

  it("scheme is case-insensitive", async () => {
    const reply = await api("GET", "/v1/orgs/", { authorization: `bearer ${DEMO_KEY}` });

    expect(reply.status).toBe(200);
  });

  it("inactive key is 403", async () => {
    for (const [method, path] of [["GET", "/v1/orgs/"], ["GET", "/v1/orgs/dormant-co/"], ["PATCH", "/v1/orgs/dormant-co/"]]) {
      const reply = await api(method as string, path as string, { key: SUSPENDED_KEY, body: { name: "x" } });
      expect(reply.status, `${method} ${path}`).toBe(403);
      expect(reply.json).toEqual({ detail: "You do not have permission to perform this action." });
    }
  });
});

describe("API trailing slash and methods", () => {
  it("GET without slash redirects", async () => {
    const detail = await api("GET", "/v1/orgs/egret-ai?expand=1", { key: null });
    const list = await api("GET", "/v1/orgs");

    expect(detail.status).toBe(301);
    expect(detail.headers.location).toBe("/v1/orgs/egret-ai/?expand=1");
    expect(list.status).toBe(301);
    expect(list.headers.location).toBe("/v1/orgs/");
  });

  it("PATCH without slash is HTML 500", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai", { body: { name: "New" } });

    expect(reply.status).toBe(500);
    expect(reply.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(reply.text).toContain("RuntimeError");
    expect(reply.text).toContain("You called this URL via PATCH");
    expect((await api("GET", "/v1/orgs/egret-ai/")).json).toMatchObject({ name: "Egret AI" });
  });

  it("POST is 405 with Allow", async () => {
    const detail = await api("POST", "/v1/orgs/egret-ai/", { body: {} });
    const list = await api("DELETE", "/v1/orgs/");

    expect(detail.status).toBe(405);
    expect(detail.headers.allow).toBe("GET, PATCH, HEAD, OPTIONS");
    expect(detail.json).toEqual({ detail: 'Method "POST" not allowed.' });
    expect(list.status).toBe(405);
    expect(list.headers.allow).toBe("GET, HEAD, OPTIONS");
    expect(list.json).toEqual({ detail: 'Method "DELETE" not allowed.' });
  });

  it("PATCH on the list is 405", async () => {
    const reply = await api("PATCH", "/v1/orgs/", { body: { name: "x" } });

    expect(reply.status).toBe(405);
    expect(reply.json).toEqual({ detail: 'Method "PATCH" not allowed.' });
  });
});

describe("API PATCH", () => {
  it("changes the name", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "  Egret AI LLC  " } });

    expect(reply.status).toBe(200);
    expect((reply.json as { name: string }).name).toBe("Egret AI LLC");
    expect(((await api("GET", "/v1/orgs/egret-ai/")).json as { name: string }).name).toBe("Egret AI LLC");
  });

  it("changes allowed domains as a set", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", {
      body: { allowed_domains: ["legal", "business-continuity", "legal"] },
    });

    expect(reply.status).toBe(200);
    expect((reply.json as { allowed_domains: string[] }).allowed_domains).toEqual(["business-continuity", "legal"]);
  });

  it("empty allowed domains clears them", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-labs/", { body: { allowed_domains: [] } });

    expect(reply.status).toBe(200);
    expect((reply.json as { allowed_domains: string[] }).allowed_domains).toEqual([]);
  });

  it("changes both fields at once", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", {
      body: { name: "Both", allowed_domains: ["finance"] },
    });

    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ name: "Both", allowed_domains: ["finance"] });
  });

  it("ignores unknown and read-only fields", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", {
      body: { name: "Renamed", id: "00000000-0000-0000-0000-000000000000", slug: "hijack", max_documents: 9999, storage_used_mb: 1, colour: "blue" },
    });
    const organization = reply.json as Record<string, unknown>;

    expect(reply.status).toBe(200);
    expect(organization.name).toBe("Renamed");
    expect(organization.id).toBe(EGRET_AI.id);
    expect(organization.slug).toBe("egret-ai");
    expect(organization.max_documents).toBe(50);
    expect(organization.storage_used_mb).toBe(0.39);
    expect(organization).not.toHaveProperty("colour");
  });

  it("moves updated_at even without changes", async () => {
    const first = (await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "Egret AI" } })).json as Record<string, string>;
    const second = (await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "Egret AI" } })).json as Record<string, string>;
    const empty = (await api("PATCH", "/v1/orgs/egret-ai/", { rawBody: "" })).json as Record<string, string>;

    expect(first.updated_at).toMatch(TIMESTAMP);
    expect(first.updated_at > EGRET_AI.updated_at).toBe(true);
    expect(second.updated_at > (first.updated_at as string)).toBe(true);
    expect(empty.updated_at > (second.updated_at as string)).toBe(true);
    expect(second.created_at).toBe(EGRET_AI.created_at);
  });

  it("non-JSON content type is 415", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", { rawBody: "name=x", contentType: "text/plain" });

    expect(reply.status).toBe(415);
    expect(reply.json).toEqual({ detail: 'Unsupported media type "text/plain" in request.' });
  });

  it("JSON content type with charset is accepted", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", {
      body: { name: "Charset" },
      contentType: "application/json; charset=utf-8",
    });

    expect(reply.status).toBe(200);
  });

  it("malformed JSON is 400", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", { rawBody: '{"name": ' });

    expect(reply.status).toBe(400);
    expect((reply.json as { detail: string }).detail).toMatch(/^JSON parse error - /);
  });

  it("non-object body is 400", async () => {
    const cases: Array<[string, string]> = [
      ["[]", "Invalid data. Expected a dictionary, but got list."],
      ['"x"', "Invalid data. Expected a dictionary, but got str."],
      ["3", "Invalid data. Expected a dictionary, but got int."],
      ["null", "No data provided"],
    ];
    for (const [rawBody, message] of cases) {
      const reply = await api("PATCH", "/v1/orgs/egret-ai/", { rawBody });
      expect(reply.status, rawBody).toBe(400);
      expect(reply.json, rawBody).toEqual({ non_field_errors: [message] });
    }
  });

  it("reports every field error at once", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", {
      body: { name: "   ", allowed_domains: ["finance", "astrology", 7, "tarot"] },
    });

    expect(reply.status).toBe(400);
    expect(reply.json).toEqual({
      name: ["This field may not be blank."],
      allowed_domains: ["Unknown domain: astrology", "Not a valid string.", "Unknown domain: tarot"],
    });
  });

  it("validates field types and lengths", async () => {
    const cases: Array<[Record<string, unknown>, Record<string, string[]>]> = [
      [{ name: 42 }, { name: ["Not a valid string."] }],
      [{ name: null }, { name: ["This field may not be null."] }],
      [{ name: "x".repeat(256) }, { name: ["Ensure this field has no more than 255 characters."] }],
      [{ allowed_domains: "finance" }, { allowed_domains: ['Expected a list of items but got type "str".'] }],
      [{ allowed_domains: { finance: true } }, { allowed_domains: ['Expected a list of items but got type "dict".'] }],
      [{ allowed_domains: null }, { allowed_domains: ["This field may not be null."] }],
    ];
    for (const [body, errors] of cases) {
      const reply = await api("PATCH", "/v1/orgs/egret-ai/", { body });
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.json, JSON.stringify(body)).toEqual(errors);
    }
  });

  it("name length counts characters", async () => {
    const reply = await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "🦩".repeat(255) } });

    expect(reply.status).toBe(200);
  });

  it("rejected patch changes nothing", async () => {
    await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "Valid", allowed_domains: ["astrology"] } });
    const organization = (await api("GET", "/v1/orgs/egret-ai/")).json;

    expect(organization).toEqual(EGRET_AI);
  });

  it("other user's organization is 404 before parsing", async () => {
    const reply = await api("PATCH", "/v1/orgs/other-co/", { rawBody: "not json", contentType: "text/plain" });

    expect(reply.status).toBe(404);
    expect(reply.json).toEqual({ detail: "Not found." });
  });
});

describe("control endpoints", () => {
  it("reset restores the default seed", async () => {
    await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "Changed" } });
    const reply = await control("POST", "reset");

    expect(reply.status).toBe(200);
    expect((await api("GET", "/v1/orgs/egret-ai/")).json).toEqual(EGRET_AI);
  });

  it("reset with a seed fills defaults", async () => {
    const seed = {
      domains: ["finance"],
      keys: { egret_test_key: { email: "test@example.com" } },
      organizations: [{ owner_key: "egret_test_key", slug: "tiny" }],
    };
    const reset = await control("POST", "reset", seed);
    const reply = await api("GET", "/v1/orgs/tiny/", { key: "egret_test_key" });
    const organization = reply.json as Record<string, unknown>;

    expect(reset.status).toBe(200);
    expect(reply.status).toBe(200);
    expect(organization.name).toBe("tiny");
    expect(organization.owner_email).toBe("test@example.com");
    expect(organization.s3_prefix).toBe("orgs/tiny/");
    expect(organization.allowed_domains).toEqual([]);
    expect(organization.storage_used_mb).toBe(0);
    expect(organization.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(organization.created_at).toMatch(TIMESTAMP);
    expect((await api("GET", "/v1/orgs/")).status).toBe(401);
  });

  it("reset rejects an invalid seed", async () => {
    const seed = {
      domains: ["finance"],
      keys: { egret_test_key: { email: "test@example.com" } },
      organizations: [
        { owner_key: "egret_test_key", slug: "bad slug", allowed_domains: ["legal"], storage_used_mb: 3 },
      ],
    };
    const reply = await control("POST", "reset", seed);
    const problems = (reply.json as { problems: string[] }).problems;

    expect(reply.status).toBe(400);
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toContain("organizations[0].slug");
    expect(problems.join("\n")).toContain("organizations[0].allowed_domains");
    expect(problems.join("\n")).toContain("organizations[0].storage_used_mb is computed from storage_used_bytes");
    expect((await api("GET", "/v1/orgs/egret-ai/")).status).toBe(200);
  });

  it("reset hides keys given as a list", async () => {
    const reply = await control("POST", "reset", { domains: [], keys: ["egret_listed_secret"], organizations: [] });
    const problems = (reply.json as { problems: string[] }).problems;

    expect(reply.status).toBe(400);
    expect(problems.join("\n")).toContain("keys must be an object");
    expect(JSON.stringify(reply.json)).not.toContain("egret_listed_secret");
  });

  it("reset locates a JSON syntax error", async () => {
    const reply = await call(emulator.url, "POST", "/_emulator/reset", { key: null, rawBody: SEED_WITH_SYNTAX_ERROR });
    const detail = (reply.json as { detail: string }).detail;

    expect(reply.status).toBe(400);
    expect(detail).toContain("not valid JSON");
    expect(detail).toContain("syntax error at line 3, column 33 (position 51)");
    expect(detail).not.toContain("secret");
    expect((await api("GET", "/v1/orgs/egret-ai/")).status).toBe(200);
  });

  it("reset clears log, faults and throttle", async () => {
    await api("GET", "/v1/orgs/");
    await control("POST", "faults", { status: 500 });
    await control("POST", "throttle", { rate: 1 });
    await control("POST", "reset");

    const state = (await control("GET", "state")).json as { faults: unknown[]; throttle: unknown };
    expect((await control("GET", "requests")).json).toEqual([]);
    expect(state.faults).toEqual([]);
    expect(state.throttle).toEqual({ rate: null });
    expect((await api("GET", "/v1/orgs/")).status).toBe(200);
    expect((await api("GET", "/v1/orgs/")).status).toBe(200);
  });

  it("organization patch merges usage fields", async () => {
    const reply = await control("PATCH", "orgs/egret-ai", {
      document_count: 7,
      storage_used_bytes: 2_097_152,
      kb_status: "provisioning",
      member_count: 3,
      is_active: false,
      allowed_domains: ["security"],
    });
    const organization = reply.json as Record<string, unknown>;

    expect(reply.status).toBe(200);
    expect(organization).toMatchObject({
      document_count: 7,
      storage_used_mb: 2,
      kb_status: "provisioning",
      member_count: 3,
      is_active: false,
      allowed_domains: ["security"],
    });
    expect((organization.updated_at as string) > EGRET_AI.updated_at).toBe(true);
    expect((await api("GET", "/v1/orgs/egret-ai/")).json).toEqual(organization);
  });

  it("organization patch sets timestamps", async () => {
    const reply = await control("PATCH", "orgs/egret-ai/", { updated_at: "2027-01-01T00:00:00Z" });

    expect((reply.json as { updated_at: string }).updated_at).toBe("2027-01-01T00:00:00.000000Z");
  });

  it("organization patch rejects invalid fields", async () => {
    const reply = await control("PATCH", "orgs/egret-ai", {
      max_storage_mb: 10,
      document_count: -1,
      CamelCase: 1,
      owner_key: "nobody",
    });
    const problems = (reply.json as { problems: string[] }).problems;

    expect(reply.status).toBe(400);
    expect(problems).toHaveLength(4);
    expect((await api("GET", "/v1/orgs/egret-ai/")).json).toEqual(EGRET_AI);
  });

  it("organization patch of unknown slug is 404", async () => {
    const reply = await control("PATCH", "orgs/no-such-org", { name: "x" });

    expect(reply.status).toBe(404);
    expect((reply.json as { detail: string }).detail).toContain("no-such-org");
  });

  it("organization patch can move ownership", async () => {
    await control("PATCH", "orgs/other-co", { owner_key: DEMO_KEY });
    const reply = await api("GET", "/v1/orgs/other-co/");

    expect(reply.status).toBe(200);
  });

  it("organization patch serializes a constructor field", async () => {
    const reply = await control("PATCH", "orgs/egret-ai", { constructor: "custom" });
    const fromApi = (await api("GET", "/v1/orgs/egret-ai/")).json as Record<string, unknown>;

    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json as object).at(-1)).toBe("constructor");
    expect(Object.hasOwn(fromApi, "constructor")).toBe(true);
    expect(fromApi.constructor).toBe("custom");
  });

  it("state lists organizations without keys", async () => {
    const reply = await control("GET", "state");
    const state = reply.json as { domains: string[]; organizations: Array<Record<string, unknown>> };

    expect(reply.status).toBe(200);
    expect(state.domains).toContain("business-continuity");
    expect(state.organizations.map((organization) => organization.slug)).toEqual([
      "egret-ai",
      "egret-labs",
      "other-co",
      "dormant-co",
    ]);
    expect(state.organizations[0]?.owner_key_id).toBe(keyIdOf(DEMO_KEY));
    expect(reply.text).not.toContain("owner_key\"");
    expect(reply.text).not.toContain(DEMO_KEY);
  });

  it("unknown control path is 404 JSON", async () => {
    const reply = await control("GET", "nothing");

    expect(reply.status).toBe(404);
    expect((reply.json as { detail: string }).detail).toContain("/_emulator/reset");
  });

  it("control wrong method is 405", async () => {
    const reply = await control("GET", "reset");

    expect(reply.status).toBe(405);
    expect(reply.headers.allow).toBe("POST");
  });
});

describe("request log", () => {
  it("records API requests in order", async () => {
    await api("GET", "/v1/orgs/");
    await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "Logged" } });
    await api("GET", "/v1/orgs/egret-ai", { key: null });
    await api("GET", "/v1/orgs/?page=2", { key: "egret_wrong_key" });
    await control("GET", "state");

    const log = (await control("GET", "requests")).json as Array<Record<string, unknown>>;

    expect(log.map((entry) => [entry.method, entry.path, entry.status])).toEqual([
      ["GET", "/v1/orgs/", 200],
      ["PATCH", "/v1/orgs/egret-ai/", 200],
      ["GET", "/v1/orgs/egret-ai", 301],
      ["GET", "/v1/orgs/?page=2", 401],
    ]);
    expect(log[0]?.keyId).toBe(keyIdOf(DEMO_KEY));
    expect(log[1]?.body).toEqual({ name: "Logged" });
    expect(log[2]?.keyId).toBeNull();
    expect(log[3]?.keyId).toBe(keyIdOf("egret_wrong_key"));
    expect(log[0]?.fault).toBe(false);
    expect(log[0]?.retryAfter).toBeNull();
    expect(typeof log[0]?.receivedAt).toBe("number");
    expect(Math.abs((log[0]?.receivedAt as number) - Date.now())).toBeLessThan(10_000);
    expect((log[1]?.receivedAt as number) >= (log[0]?.receivedAt as number)).toBe(true);
  });

  it("never contains a key", async () => {
    for (const key of [DEMO_KEY, OTHER_KEY, SUSPENDED_KEY, "egret_wrong_key"]) {
      await api("GET", "/v1/orgs/", { key });
    }
    await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "x" } });

    const reply = await control("GET", "requests");

    expect((reply.json as unknown[]).length).toBe(5);
    for (const secret of [DEMO_KEY, OTHER_KEY, SUSPENDED_KEY, "egret_wrong_key", "Bearer", "authorization"]) {
      expect(reply.text.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });

  it("DELETE clears the log", async () => {
    await api("GET", "/v1/orgs/");
    const cleared = await control("DELETE", "requests");

    expect(cleared.status).toBe(204);
    expect((await control("GET", "requests")).json).toEqual([]);
  });
});

describe("faults", () => {
  it("status and JSON body", async () => {
    const queued = await control("POST", "faults", {
      method: "GET",
      path: "/v1/orgs/egret-ai/",
      status: 502,
      body: { error: "bad gateway" },
    });
    const faulted = await api("GET", "/v1/orgs/egret-ai/");
    const next = await api("GET", "/v1/orgs/egret-ai/");
    const log = (await control("GET", "requests")).json as Array<Record<string, unknown>>;

    expect(queued.status).toBe(201);
    expect(queued.json).toMatchObject({ id: 1, method: "GET", path: "/v1/orgs/egret-ai/", status: 502, times: 1 });
    expect(faulted.status).toBe(502);
    expect(faulted.headers["content-type"]).toBe("application/json");
    expect(faulted.json).toEqual({ error: "bad gateway" });
    expect(next.status).toBe(200);
    expect(log.map((entry) => [entry.status, entry.fault])).toEqual([
      [502, true],
      [200, false],
    ]);
  });

  it("default status and body", async () => {
    await control("POST", "faults", {});
    const reply = await api("GET", "/v1/orgs/");

    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({ detail: "Service Unavailable" });
  });

  it("raw string body and headers", async () => {
    await control("POST", "faults", {
      status: 429,
      headers: { "Retry-After": "7", "Content-Type": "text/html", "X-Fault": 1 },
      body: "<html>slow down</html>",
    });
    const reply = await api("GET", "/v1/orgs/");
    const log = (await control("GET", "requests")).json as Array<Record<string, unknown>>;

    expect(reply.status).toBe(429);
    expect(reply.text).toBe("<html>slow down</html>");
    expect(reply.headers["content-type"]).toBe("text/html");
    expect(reply.headers["retry-after"]).toBe("7");
    expect(reply.headers["x-fault"]).toBe("1");
    expect(log[0]?.retryAfter).toBe("7");
  });

  it("matches method and path", async () => {
    await control("POST", "faults", { method: "patch", path: "/v1/orgs/egret-ai/", status: 500 });

    const get = await api("GET", "/v1/orgs/egret-ai/");
    const otherPath = await api("PATCH", "/v1/orgs/egret-labs/", { body: { name: "Labs" } });
    const matched = await api("PATCH", "/v1/orgs/egret-ai/", { body: { name: "x" } });
    const log = (await control("GET", "requests")).json as Array<Record<string, unknown>>;

    expect(get.status).toBe(200);
    expect(otherPath.status).toBe(200);
    expect(matched.status).toBe(500);
    expect(log[2]?.body).toEqual({ name: "x" });
    expect((await api("GET", "/v1/orgs/egret-ai/")).json).toMatchObject({ name: "Egret AI" });
  });

  it("times and FIFO order", async () => {
    await control("POST", "faults", { status: 500, times: 2 });
    await control("POST", "faults", { status: 502 });

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push((await api("GET", "/v1/orgs/")).status);
    }

    expect(statuses).toEqual([500, 500, 502, 200]);
    expect((await control("GET", "faults")).json).toEqual([]);
  });

  it("GET lists queued faults", async () => {
    await control("POST", "faults", { status: 500, times: 3 });
    await api("GET", "/v1/orgs/");

    const faults = (await control("GET", "faults")).json as Array<{ times: number }>;
    expect(faults).toHaveLength(1);
    expect(faults[0]?.times).toBe(2);
  });

  it("delayMs delays the headers", async () => {
    await control("POST", "faults", { status: 200, body: [], delayMs: 300 });

    const started = Date.now();
    const reply = await api("GET", "/v1/orgs/");

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual([]);
  });

  it("reset drops the connection", async () => {
    await control("POST", "faults", { path: "/v1/orgs/", reset: true });

    const error = await api("GET", "/v1/orgs/").then(
      () => null,
      (caught: unknown) => caught,
    );
    const log = (await control("GET", "requests")).json as Array<Record<string, unknown>>;

    expect(error).toBeInstanceOf(Error);
    expect(errorCode(error)).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    expect(log[0]).toMatchObject({ status: 0, fault: true });
    expect((await api("GET", "/v1/orgs/")).status).toBe(200);
  });

  it("truncate cuts the body", async () => {
    const body = { detail: "x".repeat(200) };
    await control("POST", "faults", { status: 200, body, truncate: true });

    const response = await request(`${emulator.url}/v1/orgs/`, {
      headers: { authorization: `Bearer ${DEMO_KEY}` },
      dispatcher: agent,
    });
    const error = await response.body.text().then(
      () => null,
      (caught: unknown) => caught,
    );
    const log = (await control("GET", "requests")).json as Array<Record<string, unknown>>;

    expect(response.statusCode).toBe(200);
    expect(Number(response.headers["content-length"])).toBe(JSON.stringify(body).length);
    expect(error).toBeInstanceOf(Error);
    expect(log[0]).toMatchObject({ status: 200, fault: true });
  });

  it("invalid fault is rejected", async () => {
    const reply = await control("POST", "faults", {
      status: 99,
      times: 0,
      reset: true,
      truncate: true,
      headers: { "Content-Length": "5" },
      delay: 5,
    });
    const problems = (reply.json as { problems: string[] }).problems;

    expect(reply.status).toBe(400);
    expect(problems).toHaveLength(5);
    expect((await control("GET", "faults")).json).toEqual([]);
  });

  it("DELETE clears the queue", async () => {
    await control("POST", "faults", { status: 500 });
    const cleared = await control("DELETE", "faults");

    expect(cleared.status).toBe(204);
    expect((await api("GET", "/v1/orgs/")).status).toBe(200);
  });

  it("control endpoints are never faulted", async () => {
    await control("POST", "faults", { status: 500 });

    expect((await control("GET", "state")).status).toBe(200);
    expect((await api("GET", "/v1/orgs/")).status).toBe(500);
  });
});

describe("throttle", () => {
  it("sends 429 with Retry-After past the rate", async () => {
    const set = await control("POST", "throttle", { rate: 2 });
    const statuses: number[] = [];
    let throttled: Reply | undefined;
    for (let i = 0; i < 3; i++) {
      const reply = await api("GET", "/v1/orgs/");
      statuses.push(reply.status);
      throttled = reply;
    }
    const log = (await control("GET", "requests")).json as Array<Record<string, unknown>>;

    expect(set.json).toEqual({ rate: 2, periodSeconds: 1 });
    expect(statuses).toEqual([200, 200, 429]);
    expect(throttled?.headers["retry-after"]).toBe("1");
    expect(throttled?.json).toEqual({ detail: "Request was throttled. Expected available in 1 second." });
    expect(log[2]?.retryAfter).toBe("1");
  });

  it("counts each key apart", async () => {
    await control("POST", "throttle", { rate: 1 });

    expect((await api("GET", "/v1/orgs/")).status).toBe(200);
    expect((await api("GET", "/v1/orgs/")).status).toBe(429);
    expect((await api("GET", "/v1/orgs/", { key: OTHER_KEY })).status).toBe(200);
  });

  it("rate null turns it off", async () => {
    await control("POST", "throttle", { rate: 1 });
    await api("GET", "/v1/orgs/");
    const off = await control("POST", "throttle", { rate: null });

    expect(off.json).toEqual({ rate: null });
    expect((await api("GET", "/v1/orgs/")).status).toBe(200);
  });

  it("invalid settings are rejected", async () => {
    for (const body of [{ rate: 0 }, { rate: "5" }, {}, { rate: 1, periodSeconds: 0 }, { rate: 1, burst: 2 }]) {
      const reply = await control("POST", "throttle", body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
    }
  });

  describe("with a fake clock", () => {
    let now = 0;
    let clocked: RunningEmulator;

    const get = async (at: number): Promise<Reply> => {
      now = at;
      return call(clocked.url, "GET", "/v1/orgs/");
    };

    beforeAll(async () => {
      clocked = await startEmulator({ clock: () => now });
    });

    afterAll(async () => {
      await clocked.close();
    });

    beforeEach(async () => {
      now = 1_800_000_000_000;
      await call(clocked.url, "POST", "/_emulator/reset", { key: null });
    });

    it("window slides with the clock", async () => {
      const start = now;
      await call(clocked.url, "POST", "/_emulator/throttle", { key: null, body: { rate: 2 } });

      expect((await get(start)).status).toBe(200);
      expect((await get(start + 400)).status).toBe(200);
      expect((await get(start + 900)).status).toBe(429);
      expect((await get(start + 1401)).status).toBe(200);
    });

    it("ignored throttle keeps counting", async () => {
      const start = now;
      await call(clocked.url, "POST", "/_emulator/throttle", { key: null, body: { rate: 1 } });

      expect((await get(start)).status).toBe(200);
      expect((await get(start + 900)).status).toBe(429);
      expect((await get(start + 1200)).status).toBe(429);
      expect((await get(start + 2201)).status).toBe(200);
    });

    it("Retry-After covers a long period", async () => {
      const start = now;
      await call(clocked.url, "POST", "/_emulator/throttle", { key: null, body: { rate: 1, periodSeconds: 60 } });

      await get(start);
      const reply = await get(start + 10_000);
      const early = await get(start + 10_000 + 59_999);
      const onTime = await get(start + 10_000 + 59_999 + 60_000);

      // The throttled request at 10 s counts too, so the wait is a whole period from it.
      expect(reply.status).toBe(429);
      expect(reply.headers["retry-after"]).toBe("60");
      expect(reply.json).toEqual({ detail: "Request was throttled. Expected available in 60 seconds." });
      expect(early.status).toBe(429);
      expect(onTime.status).toBe(200);
    });

    it("timestamps follow the clock", async () => {
      now = Date.UTC(2027, 0, 2, 3, 4, 5) + 0.25;
      const reply = await call(clocked.url, "PATCH", "/v1/orgs/egret-ai/", { body: { name: "Clocked" } });
      const again = await call(clocked.url, "PATCH", "/v1/orgs/egret-ai/", { body: { name: "Clocked" } });

      expect((reply.json as { updated_at: string }).updated_at).toBe("2027-01-02T03:04:05.000250Z");
      expect((again.json as { updated_at: string }).updated_at).toBe("2027-01-02T03:04:05.000251Z");
    });
  });
});

describe("egret-emulator CLI", () => {
  const root = resolve(__dirname, "..");
  let buildDir: string;
  let cli: string;

  // Compiles only the emulator's files with the project's compiler options, so that this suite
  // does not depend on the rest of the tree compiling.
  beforeAll(() => {
    buildDir = mkdtempSync(join(tmpdir(), "egret-emulator-"));
    const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), {}, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    });
    if (config === undefined) {
      throw new Error("tsconfig.json could not be read");
    }

    const emulatorDir = join(root, "sdk", "emulator");
    const files = readdirSync(emulatorDir)
      .filter((file) => file.endsWith(".ts"))
      .map((file) => join(emulatorDir, file));
    const program = ts.createProgram(files, { ...config.options, outDir: buildDir, declaration: false, sourceMap: false });
    const emitted = program.emit();
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
    if (diagnostics.length > 0) {
      throw new Error(ts.formatDiagnostics(diagnostics, { ...ts.sys, getCanonicalFileName: (name) => name, getNewLine: () => "\n" }));
    }
    cli = join(buildDir, "sdk", "emulator", "cli.js");
  });

  afterAll(() => {
    rmSync(buildDir, { recursive: true, force: true });
  });

  interface Run {
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }

  /** Runs the CLI to its end. With `onReady`, waits for the first stdout line, calls `onReady`, then sends SIGTERM. */
  function runCli(args: string[], onReady?: (line: string) => Promise<void>): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      let ready = false;
      const timeout = setTimeout(() => child.kill("SIGKILL"), 20_000);

      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (onReady !== undefined && !ready && stdout.includes("\n")) {
          ready = true;
          onReady(stdout.split("\n")[0] as string).then(
            () => child.kill("SIGTERM"),
            (error: unknown) => {
              child.kill("SIGKILL");
              reject(error as Error);
            },
          );
        }
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.on("error", reject);
      child.on("close", (code, signal) => {
        clearTimeout(timeout);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  it("prints exactly one ready line", async () => {
    let reply: Reply | undefined;
    const run = await runCli(["--port", "0"], async (line) => {
      const url = line.replace("Egret emulator listening on ", "");
      reply = await call(url, "GET", "/v1/orgs/egret-ai/");
    });

    expect(run.stdout).toMatch(/^Egret emulator listening on http:\/\/127\.0\.0\.1:\d+\n$/);
    expect(reply?.status).toBe(200);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("stopped on SIGTERM");
  });

  it("loads a seed file", async () => {
    const seedFile = join(buildDir, "seed.json");
    const seed = {
      domains: [],
      keys: { egret_file_key: { email: "file@example.com" } },
      organizations: [{ owner_key: "egret_file_key", slug: "from-file", name: "From File" }],
    };
    writeFileSync(seedFile, JSON.stringify(seed));

    let reply: Reply | undefined;
    const run = await runCli(["--port", "0", "--seed", seedFile], async (line) => {
      const url = line.replace("Egret emulator listening on ", "");
      reply = await call(url, "GET", "/v1/orgs/from-file/", { key: "egret_file_key" });
    });

    expect(run.code).toBe(0);
    expect((reply?.json as { name: string }).name).toBe("From File");
  });

  it("bad --port exits 2", async () => {
    for (const port of ["abc", "70000", "-1", "8.5", ""]) {
      const run = await runCli([`--port=${port}`]);
      expect(run.code, port).toBe(2);
      expect(run.stdout, port).toBe("");
      expect(run.stderr, port).toContain(`invalid --port value "${port}"`);
      expect(run.stderr, port).toContain("0 to 65535");
    }
  });

  it("unknown option exits 2", async () => {
    const run = await runCli(["--prot", "8787"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--prot");
    expect(run.stderr).toContain("--help");
  });

  it("invalid seed file exits 2", async () => {
    const missing = await runCli(["--seed", join(buildDir, "missing.json")]);
    const badFile = join(buildDir, "bad-seed.json");
    writeFileSync(badFile, JSON.stringify({ domains: [], keys: {}, organizations: [{ slug: "x" }] }));
    const invalid = await runCli(["--seed", badFile]);

    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read --seed file");
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("organizations[0].owner_key");
  });

  it("seed syntax error hides the text", async () => {
    const badFile = join(buildDir, "syntax-error-seed.json");
    writeFileSync(badFile, SEED_WITH_SYNTAX_ERROR);

    const run = await runCli(["--seed", badFile]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not valid JSON");
    expect(run.stderr).toContain("syntax error at line 3, column 33 (position 51)");
    expect(run.stderr).not.toContain("secret");
  });

  it("--help prints usage", async () => {
    const run = await runCli(["--help"]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--port N");
    expect(run.stdout).toContain("--seed FILE");
  });
});
