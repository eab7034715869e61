// Cold start: from spawning the dynamic provider host to the response of its first Create, for
// our provider and for an empty one, alternating runs so both see the same machine state.
"use strict";
const { execFileSync } = require("node:child_process");
const { median } = require("./stats");
const { TYPE } = require("./operations");

/**
 * Spawns a host, sends Configure, Check and Create as the engine does for a new resource, and
 * returns the milliseconds from the spawn to the Create response.
 */
async function timeFirstCreate(ProviderHost, consumerDir, config, properties, urn) {
  const host = await ProviderHost.start(consumerDir);
  try {
    await host.configure(config);
    const { inputs } = await host.check(urn, {}, properties);
    await host.create(urn, inputs);
    return performance.now() - host.spawnedAt;
  } finally {
    await host.close();
  }
}

/**
 * Returns the cold-start samples of both providers. Before each of our runs the emulator is
 * reset, so every first Create adopts the quickstart organization with one GET and one PATCH.
 */
async function measureColdStart({ ProviderHost, consumerDir, emulator, config, provider, emptyProvider, urnOf, runs }) {
  const urn = urnOf(TYPE, "main");
  const ours = [];
  const empty = [];
  for (let run = 0; run < runs; run += 1) {
    await emulator.reset();
    const quickstart = { slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["business-continuity"], __provider: provider };
    ours.push(await timeFirstCreate(ProviderHost, consumerDir, config, quickstart, urn));
    empty.push(await timeFirstCreate(ProviderHost, consumerDir, config, { __provider: emptyProvider }, urn));
  }
  return { ours, empty, ratio: median(ours) / median(empty) };
}

/** Script run in a fresh node process: the time each step of loading our handler takes, in ms. */
const REQUIRE_STEPS = `
const steps = {};
let last = performance.now();
for (const id of ["zod", "undici", "@egret/pulumi/dynamic-handler"]) {
  require(id);
  const now = performance.now();
  steps[id] = now - last;
  last = now;
}
process.stdout.write(JSON.stringify(steps));
`;

/**
 * Returns the median time, over `runs` fresh processes in the consumer project, to load zod,
 * then undici, then the rest of our handler: what our first call costs before any request.
 */
function measureRequireCost(consumerDir, runs) {
  const samples = [];
  for (let run = 0; run < runs; run += 1) {
    samples.push(JSON.parse(execFileSync(process.execPath, ["-e", REQUIRE_STEPS], { cwd: consumerDir, encoding: "utf8" })));
  }
  return Object.fromEntries(Object.keys(samples[0]).map((id) => [id, median(samples.map((sample) => sample[id]))]));
}

module.exports = { measureColdStart, measureRequireCost };
