// Renders the bench results as the Markdown page BENCHMARKS.md.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { formatBytes, formatMs, formatRatio, median } = require("./stats");

/** Returns the machine and versions the numbers were measured on. */
function machineInfo(consumerDir) {
  const cpus = os.cpus();
  const pulumiPackage = JSON.parse(fs.readFileSync(path.join(consumerDir, "node_modules/@pulumi/pulumi/package.json"), "utf8"));
  return {
    cpu: cpus[0]?.model ?? "unknown",
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    pulumi: pulumiPackage.version,
    date: new Date().toISOString(),
  };
}

function table(header, rows) {
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  for (const row of rows) {
    lines.push(`| ${row.join(" | ")} |`);
  }
  return lines.join("\n");
}

function requestList(methods) {
  return methods.length === 0 ? "none" : methods.join(" + ");
}

function seconds(ms) {
  return `${(ms / 1000).toFixed(2)} s`;
}

function perSecond(count, ms) {
  return (count / (ms / 1000)).toFixed(1);
}

function mebibytes(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
}

const FLEET_NAMES = {
  fleetOurs: "ours",
  fleetBaseline: "baseline",
  fleetBaselineRetry: "baseline + 429 retry",
  fleetOursUnthrottled: "ours, no throttle",
  fleetBaselineUnthrottled: "baseline, no throttle",
};

function fleetSummary(fleet, phase) {
  const run = fleet[phase];
  return `${seconds(run.wallMs)}, ${run.failures.length} of 500 failed`;
}

function renderSummary(results) {
  const { weight, baselineWeight, coldStart, overhead, fleetOurs, fleetBaseline, fleetOursUnthrottled, fleetBaselineUnthrottled } = results;
  const unthrottledWall = (fleet) => fleet.adopt.wallMs + fleet.refresh.wallMs;
  const okRate = (run) => run.log.succeeded / run.wallMs;
  const atMinimum = results.operations.filter((row) => row.atMinimum).length;
  const ours = overhead["our Read through the host"];
  const bare = overhead["bare undici GET"];
  const oursColdMedian = median(coldStart.ours);
  const emptyColdMedian = median(coldStart.empty);
  const throttled = (fleet) => fleet.adopt.log.throttled + fleet.refresh.log.throttled;

  return table(
    ["measure", "ours", "reference", "ratio"],
    [
      ["requests per operation", `${atMinimum} of ${results.operations.length} operations at the API minimum`, "API minimum", "-"],
      ["serialized `__provider`", formatBytes(weight.providerBytes), `baseline ${formatBytes(baselineWeight.providerBytes)}`, formatRatio(weight.providerBytes / baselineWeight.providerBytes)],
      ["one resource's outputs", formatBytes(weight.outputsBytes), `baseline ${formatBytes(baselineWeight.outputsBytes)}`, formatRatio(weight.outputsBytes / baselineWeight.outputsBytes)],
      [`cold start to first Create, median of ${coldStart.ours.length}`, formatMs(oursColdMedian), `empty provider ${formatMs(emptyColdMedian)}`, formatRatio(coldStart.ratio)],
      [`Read latency, median of ${ours.samples}`, formatMs(ours.median), `bare undici GET ${formatMs(bare.median)}`, formatRatio(ours.median / bare.median)],
      [`fleet adopt, 500 organizations at ${results.fleetRate} requests/s`, fleetSummary(fleetOurs, "adopt"), `baseline ${fleetSummary(fleetBaseline, "adopt")}`, formatRatio(fleetOurs.adopt.wallMs / fleetBaseline.adopt.wallMs)],
      ["fleet refresh", fleetSummary(fleetOurs, "refresh"), `baseline ${fleetSummary(fleetBaseline, "refresh")}`, formatRatio(fleetOurs.refresh.wallMs / fleetBaseline.refresh.wallMs)],
      ["fleet 2xx per second, adopt / refresh", `${perSecond(fleetOurs.adopt.log.succeeded, fleetOurs.adopt.wallMs)} / ${perSecond(fleetOurs.refresh.log.succeeded, fleetOurs.refresh.wallMs)}`, `baseline ${perSecond(fleetBaseline.adopt.log.succeeded, fleetBaseline.adopt.wallMs)} / ${perSecond(fleetBaseline.refresh.log.succeeded, fleetBaseline.refresh.wallMs)}`, `${formatRatio(okRate(fleetOurs.adopt) / okRate(fleetBaseline.adopt))} / ${formatRatio(okRate(fleetOurs.refresh) / okRate(fleetBaseline.refresh))}`],
      ["fleet 429s received, adopt + refresh", String(throttled(fleetOurs)), `baseline ${throttled(fleetBaseline)}`, formatRatio(throttled(fleetOurs) / throttled(fleetBaseline))],
      ["fleet host peak memory (VmHWM)", mebibytes(fleetOurs.peakBytes), `baseline ${mebibytes(fleetBaseline.peakBytes)}`, formatRatio(fleetOurs.peakBytes / fleetBaseline.peakBytes)],
      ["fleet adopt + refresh, no throttle", seconds(unthrottledWall(fleetOursUnthrottled)), `baseline ${seconds(unthrottledWall(fleetBaselineUnthrottled))}`, formatRatio(unthrottledWall(fleetOursUnthrottled) / unthrottledWall(fleetBaselineUnthrottled))],
      ["fleet host peak memory, no throttle", mebibytes(fleetOursUnthrottled.peakBytes), `baseline ${mebibytes(fleetBaselineUnthrottled.peakBytes)}`, formatRatio(fleetOursUnthrottled.peakBytes / fleetBaselineUnthrottled.peakBytes)],
    ],
  );
}

function renderOperations(results) {
  const baseline = Object.fromEntries(results.baselineOperations.map((row) => [row.operation, row.requests]));
  return table(
    ["operation", "requests sent", "API minimum", "at minimum", "baseline sent"],
    results.operations.map((row) => [
      row.operation,
      requestList(row.requests),
      requestList(row.minimum),
      row.atMinimum ? "yes" : "**no**",
      requestList(baseline[row.operation]),
    ]),
  );
}

function renderWeight(results) {
  const { weight, baselineWeight } = results;
  return table(
    ["", "ours", "baseline"],
    [
      ["`__provider` (serialized provider)", formatBytes(weight.providerBytes), formatBytes(baselineWeight.providerBytes)],
      ["outputs of one Create, without `__provider`", formatBytes(weight.outputsBytes), formatBytes(baselineWeight.outputsBytes)],
      ["stored per resource (outputs with `__provider`)", formatBytes(weight.storedBytes), formatBytes(baselineWeight.storedBytes)],
    ],
  );
}

function renderColdStart(results) {
  const { coldStart, requireCost } = results;
  const row = (name, samples) => [name, formatMs(median(samples)), formatMs(Math.min(...samples)), formatMs(Math.max(...samples))];
  const loads = Object.entries(requireCost).map(([id, ms]) => `\`${id}\` ${formatMs(ms)}`);
  return [
    table(["provider", "median", "min", "max"], [row("ours", coldStart.ours), row("empty", coldStart.empty)]),
    "",
    `Ratio of the medians: **${formatRatio(coldStart.ratio)}**, a difference of ` +
      `${formatMs(median(coldStart.ours) - median(coldStart.empty))}. Loading our handler in a fresh ` +
      `node process of the consumer project (median of the runs) takes, one after the other: ` +
      `${loads.join(", ")}. Those loads and the first connection to the API are most of the ` +
      "difference; modules the host has loaded already, such as gRPC, cost nothing again there.",
  ].join("\n");
}

function renderFleet(results) {
  const rows = [];
  for (const [key, name] of Object.entries(FLEET_NAMES)) {
    const fleet = results[key];
    for (const phase of ["adopt", "refresh"]) {
      const run = fleet[phase];
      rows.push([
        name,
        phase,
        seconds(run.wallMs),
        `${run.failures.length}`,
        `${run.log.sent}`,
        `${run.log.succeeded}`,
        `${run.log.throttled}`,
        perSecond(run.log.sent, run.wallMs),
        perSecond(run.log.succeeded, run.wallMs),
      ]);
    }
  }
  const memoryRows = Object.entries(FLEET_NAMES).map(([key, name]) => {
    const fleet = results[key];
    return [name, mebibytes(fleet.startBytes), mebibytes(fleet.adoptPeakBytes), mebibytes(fleet.peakBytes)];
  });

  const ours = results.fleetOurs;
  const baseline = results.fleetBaseline;
  const oursFree = results.fleetOursUnthrottled;
  const baselineFree = results.fleetBaselineUnthrottled;
  const ratio = (phase, pick) => formatRatio(pick(ours[phase]) / pick(baseline[phase]));
  const sentRate = (run) => run.log.sent / run.wallMs;
  const okRate = (run) => run.log.succeeded / run.wallMs;
  return [
    table(
      ["provider", "phase", "wall time", "operations failed", "requests sent", "2xx", "429", "sent/s", "2xx/s"],
      rows,
    ),
    "",
    table(["provider host", "after Configure", "peak after adopt", "peak after refresh"], memoryRows),
    "",
    "Ratios, ours / baseline, throttled: " +
      `wall time ${ratio("adopt", (run) => run.wallMs)} (adopt), ${ratio("refresh", (run) => run.wallMs)} (refresh); ` +
      `requests sent per second ${ratio("adopt", sentRate)}, ${ratio("refresh", sentRate)}; ` +
      `successful requests per second ${ratio("adopt", okRate)}, ${ratio("refresh", okRate)}; ` +
      `429s ${ratio("adopt", (run) => run.log.throttled)}, ${ratio("refresh", (run) => run.log.throttled)}; ` +
      `peak memory ${formatRatio(ours.peakBytes / baseline.peakBytes)}. ` +
      "Without throttle: " +
      `wall time ${formatRatio(oursFree.adopt.wallMs / baselineFree.adopt.wallMs)} (adopt), ` +
      `${formatRatio(oursFree.refresh.wallMs / baselineFree.refresh.wallMs)} (refresh); ` +
      `peak memory ${formatRatio(oursFree.peakBytes / baselineFree.peakBytes)}.`,
  ].join("\n");
}

function renderOverhead(results) {
  const paths = results.overhead;
  const bare = paths["bare undici GET"].median;
  const floor = paths["empty provider Read through the host"].median;
  const ours = paths["our Read through the host"].median;
  const client = paths["our API client GET, no host"].median;
  const rows = Object.entries(paths).map(([name, timing]) => [
    name,
    formatMs(timing.median),
    formatMs(timing.p90),
    formatRatio(timing.median / bare),
  ]);
  return [
    table(["path", "median", "90th percentile", "median / bare GET"], rows),
    "",
    `Our Read through the host is **${formatRatio(ours / bare)}** a bare GET. The host and gRPC ` +
      `alone (an empty provider's Read) take ${formatMs(floor)}, ${formatRatio(floor / bare)} a bare ` +
      `GET. Our Read adds ${formatMs(ours - floor)} on top of that, and our API client alone ` +
      `takes ${formatMs(client)} per GET (${formatRatio(client / bare)} a bare GET).`,
  ].join("\n");
}

/** Renders the whole page from the results of scripts/bench.js. */
function renderReport(results) {
  const { machine } = results;
  return `# Benchmarks

Measured by \`npm run bench\` (scripts/bench.js):

- date: ${machine.date}
- machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB memory
- Node ${machine.node}, @pulumi/pulumi ${machine.pulumi}
- run time: ${seconds(results.durationMs)}, the build excluded
- 1-minute load average: ${results.loadAverage.start.toFixed(2)} at the start, ${results.loadAverage.end.toFixed(2)} at the end (other work on the machine slows every timing)

The bench starts the emulator (\`egret-emulator\`, its own process) and the dynamic provider host
(\`@pulumi/pulumi/cmd/dynamic-provider\`, the process \`pulumi up\` starts for a TypeScript program)
in a project that installed the \`npm pack\` tarball, and drives the host over gRPC as the engine
does. Our \`__provider\` is captured from examples/quickstart under \`pulumi.runtime.setMocks\`.

The **baseline** is a dynamic provider written the way Pulumi's dynamic provider guide writes one:
a small client captured in the closure with the URL and key, the global \`fetch\` with no agent of
its own, no cap on requests in flight and no retry; it is serialized by the same closure
serializer (\`serializeFunction\`). **baseline + 429 retry** is the same provider with the loop a
user adds after a throttled run: on a 429, wait \`Retry-After\` and try again, up to
${results.baselineRetryAttempts} attempts. The loopback emulator answers in well under a millisecond, so every
ratio here is a ratio of local costs; against the real API, network time dominates both sides.

## Summary

${renderSummary(results)}

## Requests per operation

Read from the emulator's request log, cleared before each operation. \`egret-ai\` starts as
"Egret AI" with no allowed domains; the quickstart sets the name and one domain.

${renderOperations(results)}

## State weight

Bytes of JSON as the engine stores them. The baseline's \`__provider\` contains the API URL and
the API key in plain text, because its client captures them; ours contains neither, only code that
requires the installed package.

${renderWeight(results)}

## Cold start

Time from spawning the host to the response of its first Create, after Configure and Check, as the
engine sends them for a new resource. Each of our runs adopts the quickstart organization (one GET
and one PATCH); the empty provider's create returns at once. The runs alternate.

${renderColdStart(results)}

## Fleet under throttling

500 organizations of one key, every operation sent at once through one host (Pulumi's
\`--parallel\` is unbounded by default): adopt (Check, then Create: 500 GETs and 250 PATCHes,
because every other name differs), then refresh (Read: 500 GETs). The emulator throttles the key
at **${results.fleetRate} requests per second** (a sliding one-second window that also counts
throttled requests), restarted with an empty window before each phase. Our provider runs with its
defaults: at most 8 requests in flight per process and 4 attempts per request. The refresh reads
all 500 organizations, also those whose adoption failed, so every provider does the same work.
The same runs without throttle, where every provider completes every operation, compare like with
like. Peak memory is the host's VmHWM from /proc. It depends on when the garbage collector runs:
in repeated runs on this machine, the peak of our host varied from about 207 to 250 MiB, more
than the difference between the providers.

${renderFleet(results)}

The baseline is faster only because it gives up: without a retry, every request past the first
${results.fleetRate} of a window fails with 429, and so does the operation. The retry loop does not save it:
all throttled requests wait the same \`Retry-After\`, come back together, and meet a window that
their own 429s keep full. Ours holds every request of the process while the key is
throttled, so it sends only a few requests per window beyond the limit and every operation
succeeds. Its wall time is close to the floor the throttle sets: 750 and 500 requests at
${results.fleetRate} per second.

Before this was fixed, a 429 paused only the request that received it, and ours failed like
the baseline with the retry: 446 of 500 adoptions and 400 of 500 refreshes failed, with 1,784
and 1,600 429s (measured by this bench on the same machine before the change).

## Overhead over the wire

Read of \`egret-ai\` through a host, against a bare \`undici.request\` GET of the same organization
from the bench process, with no throttle. Every path ran its warm-up and then its samples one after
the other in turn.

${renderOverhead(results)}

Where the rest goes: a CPU profile of the host serving 3,000 of our Reads (\`node --cpu-prof\`,
taken once while this bench was written, not by \`npm run bench\`) put about 1% of the host's CPU
time in our package and most of it in gRPC, HTTP/2 and the protobuf \`Struct\` conversions of the
host. Our Read also returns the refreshed inputs, so the host converts and sends a second property
set with \`__provider\`, which is needed to show drift.
`;
}

module.exports = { machineInfo, renderReport };
