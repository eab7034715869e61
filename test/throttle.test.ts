import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEFAULTS } from "../sdk";
import { startEmulator, type RunningEmulator } from "../sdk/emulator";
import { ProviderContext } from "../provider/context";
import { readOrganization } from "../provider/organization/logic";
import { EmulatorControl, type LoggedRequest } from "./helpers/emulator";

/**
 * Many resources refreshed at once by one provider process, against an emulator that throttles
 * the key. This suite uses real time: 200 reads at 50 requests per second take three to four seconds.
 */

const API_KEY = "egret_throttle_Mf4Rx8Lc2Vn6Wq1Z";
const ORGANIZATIONS = 200;
const RATE_PER_SECOND = 50;
const MAX_IN_FLIGHT = 8;

let emulator: RunningEmulator;
let control: EmulatorControl;

function slugOf(index: number): string {
  return `org-${String(index).padStart(3, "0")}`;
}

function seed(): Record<string, unknown> {
  return {
    domains: ["finance", "legal"],
    keys: { [API_KEY]: { email: "ops@example.com" } },
    organizations: Array.from({ length: ORGANIZATIONS }, (_, index) => ({ owner_key: API_KEY, slug: slugOf(index) })),
  };
}

/** Groups the request log by path: one group per organization, in arrival order. */
function byPath(log: LoggedRequest[]): Map<string, LoggedRequest[]> {
  const groups = new Map<string, LoggedRequest[]>();
  for (const entry of log) {
    groups.set(entry.path, [...(groups.get(entry.path) ?? []), entry]);
  }
  return groups;
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  control = new EmulatorControl(emulator.url);
});

afterAll(async () => {
  await emulator?.close();
});

describe("throttled provider process", () => {
  let log: LoggedRequest[];
  let results: Array<{ slug: string; found: boolean }>;
  let maxInFlight: number;
  let clientsUsed: number;

  beforeAll(async () => {
    await control.reset(seed());
    await control.throttle(RATE_PER_SECOND);

    // One ProviderContext is one provider process: every resource shares its client.
    const context = new ProviderContext();
    const config: Record<string, string> = {
      "egret:apiKey": API_KEY,
      "egret:apiUrl": emulator.url,
      "egret:maxConcurrentRequests": String(MAX_IN_FLIGHT),
    };
    context.configure((key) => config[key], {});

    const clients = new Set<unknown>();
    results = await Promise.all(
      Array.from({ length: ORGANIZATIONS }, async (_, index) => {
        const client = context.getClient();
        clients.add(client);
        const read = await readOrganization(client, slugOf(index), undefined);
        return { slug: slugOf(index), found: read?.outputs.slug === slugOf(index) };
      }),
    );
    clientsUsed = clients.size;
    await context.getClient().close();

    log = await control.requests();
    maxInFlight = (await control.state()).requestsInFlight.max;
  }, 60_000);

  it("reads every organization", () => {
    expect(results.filter((result) => !result.found)).toEqual([]);
    expect(clientsUsed).toBe(1);
  });

  it("was throttled", () => {
    const throttled = log.filter((entry) => entry.status === 429);

    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((entry) => entry.retryAfter !== null)).toBe(true);
  });

  it("stays within maxAttempts", () => {
    const groups = byPath(log);

    expect(groups.size).toBe(ORGANIZATIONS);
    for (const [path, entries] of groups) {
      expect(entries.length, path).toBeLessThanOrEqual(DEFAULTS.maxAttempts);
      expect(entries.at(-1)?.status, path).toBe(200);
    }
  });

  it("waits out each Retry-After", () => {
    let pairs = 0;
    for (const [path, entries] of byPath(log)) {
      for (let index = 1; index < entries.length; index += 1) {
        const previous = entries[index - 1] as LoggedRequest;
        const next = entries[index] as LoggedRequest;
        expect(previous.status, path).toBe(429);
        const allowedAt = previous.receivedAt + Number(previous.retryAfter) * 1000;
        expect(next.receivedAt, `${path} retry ${index}`).toBeGreaterThanOrEqual(allowedAt);
        pairs += 1;
      }
    }
    expect(pairs).toBeGreaterThan(0);
  });

  it("keeps requests in flight under the cap", () => {
    // The emulator responds in well under a millisecond, so this mark stays low here. The suite
    // below keeps each response open to show the cap itself.
    expect(maxInFlight).toBeGreaterThanOrEqual(1);
    expect(maxInFlight).toBeLessThanOrEqual(MAX_IN_FLIGHT);
  });
});

describe("requests in flight", () => {
  const READS = 64;
  /** Time the emulator keeps each response open, so that requests overlap. */
  const HOLD_MS = 40;

  /** Runs READS concurrent reads through one provider process with the given cap; returns the emulator's high-water mark. */
  async function highWaterMark(cap: number): Promise<number> {
    await control.reset(seed());
    const slug = slugOf(0);
    const organization = await control.storedOrganization(slug);
    delete organization.owner_key_id;
    await control.addFault({ path: `/v1/orgs/${slug}/`, status: 200, body: organization, delayMs: HOLD_MS, times: READS });

    const context = new ProviderContext();
    const config: Record<string, string> = {
      "egret:apiKey": API_KEY,
      "egret:apiUrl": emulator.url,
      "egret:maxConcurrentRequests": String(cap),
    };
    context.configure((key) => config[key], {});
    const reads = await Promise.all(
      Array.from({ length: READS }, () => readOrganization(context.getClient(), slug, undefined)),
    );
    await context.getClient().close();

    expect(reads.every((read) => read?.outputs.slug === slug)).toBe(true);
    return (await control.state()).requestsInFlight.max;
  }

  it("never exceed maxConcurrentRequests", async () => {
    const max = await highWaterMark(MAX_IN_FLIGHT);

    expect(max).toBeLessThanOrEqual(MAX_IN_FLIGHT);
    expect(max).toBeGreaterThan(1);
  });

  it("follow a higher cap", async () => {
    const max = await highWaterMark(32);

    expect(max).toBeGreaterThan(MAX_IN_FLIGHT);
    expect(max).toBeLessThanOrEqual(32);
  });
});

describe("key throttled below the cap", () => {
  const READS = 25;
  const SLOW_RATE = 5;

  it("retries go ahead of new requests", async () => {
    await control.reset(seed());
    await control.throttle(SLOW_RATE);
    const context = new ProviderContext();
    const config: Record<string, string> = { "egret:apiKey": API_KEY, "egret:apiUrl": emulator.url };
    context.configure((key) => config[key], {});

    const reads = await Promise.allSettled(
      Array.from({ length: READS }, (_, index) => readOrganization(context.getClient(), slugOf(index), undefined)),
    );
    await context.getClient().close();
    const groups = byPath(await control.requests());

    expect(reads.filter((read) => read.status === "rejected")).toEqual([]);
    expect(groups.size).toBe(READS);
    for (const [path, entries] of groups) {
      expect(entries.length, path).toBeLessThanOrEqual(DEFAULTS.maxAttempts);
    }
  }, 60_000);
});
