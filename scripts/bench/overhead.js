// Overhead over the wire: Read of one organization through the provider host against a bare
// undici GET of the same organization, both against the same emulator with no throttle. More
// paths split the difference: our API client without a host, an empty provider's Read through a
// host (the cost of the host and gRPC alone) and the baseline provider's Read.
"use strict";
const { request } = require("undici");
const { median, quantile } = require("./stats");
const { TYPE } = require("./operations");

function timer(operation) {
  return async () => {
    const started = performance.now();
    await operation();
    return performance.now() - started;
  };
}

/**
 * Takes `warmup` then `samples` timings of each path, one of each in turn so all see the same
 * machine state, and returns per path the median and 90th percentile in ms. `hosts` maps a path
 * name to `{ host, provider }`; every host is configured for `apiKey`. `client` is our API client
 * in this process, timed as one more path.
 */
async function measureOverhead({ hosts, client, emulator, apiKey, urnOf, warmup, samples }) {
  await emulator.reset();
  const urn = urnOf(TYPE, "main");
  const url = `${emulator.url}/v1/orgs/egret-ai/`;
  const headers = { authorization: `Bearer ${apiKey}`, accept: "application/json" };

  const paths = {
    "bare undici GET": timer(async () => {
      const response = await request(url, { headers });
      await response.body.json();
      if (response.statusCode !== 200) {
        throw new Error(`bare GET returned ${response.statusCode}`);
      }
    }),
    "our API client GET, no host": timer(() => client.getOrganization("egret-ai")),
  };
  for (const [name, { host, provider }] of Object.entries(hosts)) {
    const state = { slug: "egret-ai", name: "Egret AI", allowedDomains: [], managedFields: ["name", "allowedDomains"], __provider: provider };
    paths[name] = timer(() => host.read("egret-ai", urn, state));
  }

  const timings = Object.fromEntries(Object.keys(paths).map((name) => [name, []]));
  for (let index = 0; index < warmup + samples; index += 1) {
    for (const [name, time] of Object.entries(paths)) {
      const elapsed = await time();
      if (index >= warmup) {
        timings[name].push(elapsed);
      }
    }
  }
  return Object.fromEntries(
    Object.entries(timings).map(([name, values]) => [name, { median: median(values), p90: quantile(values, 0.9), samples: values.length }]),
  );
}

module.exports = { measureOverhead };
