#!/usr/bin/env node
// `npm run bench`: measures the dynamic provider host (the face TypeScript programs run) against
// the emulator, prints a Markdown report and writes it to BENCHMARKS.md. `npm run bench` builds
// first; this script reads dist/ and installs the npm pack tarball into .tmp/bench/consumer.
//
// Options: --out FILE writes the report there instead of BENCHMARKS.md; --no-write only prints.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { parseArgs } = require("node:util");
const { installConsumer, ROOT } = require("./bench/consumer");
const { measureColdStart, measureRequireCost } = require("./bench/cold-start");
const { FLEET_KEY, runFleet } = require("./bench/fleet");
const { measureOperations, stateWeight } = require("./bench/operations");
const { measureOverhead } = require("./bench/overhead");
const { Emulator, ProviderHost, urnOf } = require("./bench/processes");
const { baselineProvider, captureQuickstartProvider, emptyProvider, serializeProvider } = require("./bench/providers");
const { machineInfo, renderReport } = require("./bench/report");
const { EgretClient } = require("../dist/sdk");

/** Key of the emulator's demo user, who owns `egret-ai`. */
const DEMO_KEY = "egret_demo_key";

/** Throttle of the fleet runs, in requests per second per key. */
const FLEET_RATE = 100;

/** Attempts of the baseline that retries a 429, the first included: the default of ours. */
const BASELINE_RETRY_ATTEMPTS = 4;

const COLD_START_RUNS = 11;
const REQUIRE_RUNS = 5;
const OVERHEAD_WARMUP = 500;
const OVERHEAD_SAMPLES = 300;

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}

/** Starts a host in the consumer project and configures it for `apiKey` against the emulator. */
async function startHost(consumerDir, emulator, apiKey) {
  const host = await ProviderHost.start(consumerDir);
  await host.configure({ "egret:apiKey": apiKey, "egret:apiUrl": emulator.url });
  return host;
}

/** Measures everything in the order the report shows it, and returns the raw results. */
async function measure(consumerDir, emulator) {
  const provider = await captureQuickstartProvider();
  const empty = await serializeProvider(emptyProvider());
  const readOnly = await serializeProvider({
    async read(id) {
      return { id, props: { slug: id } };
    },
  });
  const baseline = await serializeProvider(baselineProvider(emulator.url, DEMO_KEY));
  const results = { fleetRate: FLEET_RATE, baselineRetryAttempts: BASELINE_RETRY_ATTEMPTS };
  const hosts = [];

  try {
    log("counting requests per operation, ours and the baseline's");
    const ours = await startHost(consumerDir, emulator, DEMO_KEY);
    hosts.push(ours);
    const operations = await measureOperations(ours, emulator, provider, urnOf);
    results.operations = operations.rows;
    results.weight = stateWeight(provider, operations.createdProperties);

    const theirs = await startHost(consumerDir, emulator, DEMO_KEY);
    hosts.push(theirs);
    const baselineOperations = await measureOperations(theirs, emulator, baseline, urnOf);
    results.baselineOperations = baselineOperations.rows;
    results.baselineWeight = stateWeight(baseline, baselineOperations.createdProperties);

    log(`timing Read through the host against a bare undici GET (${OVERHEAD_WARMUP} warm-up, ${OVERHEAD_SAMPLES} samples)`);
    const floor = await startHost(consumerDir, emulator, DEMO_KEY);
    hosts.push(floor);
    const client = new EgretClient({ apiKey: DEMO_KEY, apiUrl: emulator.url });
    results.overhead = await measureOverhead({
      client,
      hosts: {
        "empty provider Read through the host": { host: floor, provider: readOnly },
        "our Read through the host": { host: ours, provider },
        "baseline Read through the host": { host: theirs, provider: baseline },
      },
      emulator,
      apiKey: DEMO_KEY,
      urnOf,
      warmup: OVERHEAD_WARMUP,
      samples: OVERHEAD_SAMPLES,
    });
    await client.close();
  } finally {
    await Promise.all(hosts.map((host) => host.close()));
  }

  log(`timing cold starts (${COLD_START_RUNS} runs each)`);
  results.coldStart = await measureColdStart({
    ProviderHost,
    consumerDir,
    emulator,
    config: { "egret:apiKey": DEMO_KEY, "egret:apiUrl": emulator.url },
    provider,
    emptyProvider: empty,
    urnOf,
    runs: COLD_START_RUNS,
  });
  results.requireCost = measureRequireCost(consumerDir, REQUIRE_RUNS);

  const fleetOptions = {
    ProviderHost,
    consumerDir,
    emulator,
    urnOf,
    rate: FLEET_RATE,
    hostConfig: (apiKey) => ({ "egret:apiKey": apiKey, "egret:apiUrl": emulator.url }),
  };
  const fleetBaseline = await serializeProvider(baselineProvider(emulator.url, FLEET_KEY));
  const fleetBaselineRetry = await serializeProvider(baselineProvider(emulator.url, FLEET_KEY, BASELINE_RETRY_ATTEMPTS));
  log(`fleet of ours, the baseline and the baseline with a 429 retry, throttled at ${FLEET_RATE} requests/s`);
  results.fleetOurs = await runFleet({ ...fleetOptions, provider });
  results.fleetBaseline = await runFleet({ ...fleetOptions, provider: fleetBaseline });
  results.fleetBaselineRetry = await runFleet({ ...fleetOptions, provider: fleetBaselineRetry });
  log("fleet of ours and the baseline without throttle");
  results.fleetOursUnthrottled = await runFleet({ ...fleetOptions, rate: null, provider });
  results.fleetBaselineUnthrottled = await runFleet({ ...fleetOptions, rate: null, provider: fleetBaseline });
  return results;
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: "string" }, "no-write": { type: "boolean" } } });
  const startedAt = Date.now();
  const loadAtStart = os.loadavg()[0];

  log("installing the npm pack tarball into .tmp/bench/consumer");
  const consumerDir = installConsumer();

  const emulator = await Emulator.start();
  let results;
  try {
    results = await measure(consumerDir, emulator);
  } finally {
    await emulator.close();
  }

  results.machine = machineInfo(consumerDir);
  results.durationMs = Date.now() - startedAt;
  results.loadAverage = { start: loadAtStart, end: os.loadavg()[0] };
  const report = renderReport(results);
  process.stdout.write(report);
  if (!values["no-write"]) {
    const out = path.resolve(values.out ?? path.join(ROOT, "BENCHMARKS.md"));
    fs.writeFileSync(out, report);
    log(`wrote ${out}`);
  }
  if (process.env.BENCH_JSON) {
    fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(results, null, 2));
  }
}

main().catch((error) => {
  console.error(`bench failed: ${error.stack ?? error}`);
  process.exitCode = 1;
});
