// Fleet: 500 organizations of one key adopted (Check + Create) and then refreshed (Read)
// through one provider host, every operation sent at once, with the emulator throttling the key.
"use strict";
const { TYPE } = require("./operations");

/** Organizations in the fleet. */
const FLEET_SIZE = 500;

/** Key that owns the fleet; it never appears in the report. */
const FLEET_KEY = "egret_bench_fleet_key";

const DOMAINS = ["business-continuity", "compliance", "engineering", "finance", "legal"];

function slugOf(index) {
  return `fleet-${String(index).padStart(3, "0")}`;
}

/** Returns a seed of FLEET_SIZE organizations owned by FLEET_KEY, each with the default plan and usage. */
function fleetSeed() {
  const organizations = [];
  for (let index = 0; index < FLEET_SIZE; index += 1) {
    organizations.push({ owner_key: FLEET_KEY, slug: slugOf(index), name: `Fleet ${index}`, allowed_domains: [] });
  }
  return { domains: DOMAINS, keys: { [FLEET_KEY]: { email: "fleet@example.com" } }, organizations };
}

/**
 * Returns the program's inputs for organization `index`. Every other one is renamed, so adoption
 * sends FLEET_SIZE GETs and FLEET_SIZE / 2 PATCHes.
 */
function fleetInputs(index) {
  return { slug: slugOf(index), name: index % 2 === 0 ? `Fleet ${index}` : `Fleet ${index} Renamed`, allowedDomains: [] };
}

/** Tallies the emulator's request log of one phase. */
function tally(log) {
  const byStatus = {};
  for (const entry of log) {
    byStatus[entry.status] = (byStatus[entry.status] ?? 0) + 1;
  }
  return {
    sent: log.length,
    succeeded: log.filter((entry) => entry.status >= 200 && entry.status < 300).length,
    throttled: byStatus[429] ?? 0,
    byStatus,
  };
}

/** Sends `operation` for every index at once and returns the results, the failures and the wall time. */
async function runAll(operation) {
  const started = performance.now();
  const settled = await Promise.allSettled(Array.from({ length: FLEET_SIZE }, (_, index) => operation(index)));
  const wallMs = performance.now() - started;
  const failures = settled.filter((result) => result.status === "rejected").map((result) => String(result.reason?.details ?? result.reason));
  return { settled, failures, wallMs };
}

/**
 * Adopts and then refreshes the fleet through one host serving `provider`. Throttling restarts
 * before each phase with an empty window, as if `pulumi up` and `pulumi refresh` ran apart.
 * Every organization is refreshed, also those whose adoption failed, so both providers do the
 * same work in the refresh phase.
 */
async function runFleet({ ProviderHost, consumerDir, emulator, provider, urnOf, rate, hostConfig }) {
  await emulator.reset(fleetSeed());
  const host = await ProviderHost.start(consumerDir);
  try {
    await host.configure(hostConfig(FLEET_KEY));
    const startBytes = host.peakMemoryBytes();
    const urn = (index) => urnOf(TYPE, slugOf(index));

    await emulator.throttle(rate);
    const adopt = await runAll(async (index) => {
      const { inputs } = await host.check(urn(index), {}, { ...fleetInputs(index), __provider: provider });
      return host.create(urn(index), inputs);
    });
    const adoptLog = tally(await emulator.requests());
    const adoptPeak = host.peakMemoryBytes();

    await emulator.clearRequests();
    await emulator.throttle(rate);
    const refresh = await runAll(async (index) => {
      const result = adopt.settled[index];
      const state = result.status === "fulfilled" ? result.value.properties : { ...fleetInputs(index), __provider: provider };
      return host.read(slugOf(index), urn(index), state);
    });
    const refreshLog = tally(await emulator.requests());
    await emulator.throttle(null);

    return {
      adopt: { wallMs: adopt.wallMs, failures: adopt.failures, log: adoptLog },
      refresh: { wallMs: refresh.wallMs, failures: refresh.failures, log: refreshLog },
      startBytes,
      adoptPeakBytes: adoptPeak,
      peakBytes: host.peakMemoryBytes(),
    };
  } finally {
    await host.close();
  }
}

module.exports = { FLEET_KEY, FLEET_SIZE, runFleet };
