// Requests per operation and state weight, through the real dynamic provider host. Each
// operation's requests are read from the emulator's request log, cleared right before it.
"use strict";

const TYPE = "pulumi-nodejs:dynamic/egret:Organization";

/** Minimum API requests of each operation, the target every measured count is held to. */
const MINIMUM = {
  "check": [],
  "create, values differ": ["GET", "PATCH"],
  "create, values already equal": ["GET"],
  "diff": [],
  "update": ["PATCH"],
  "read (refresh)": ["GET"],
  "delete": [],
  "delete with restoreOnDelete": ["PATCH"],
};

/**
 * Runs every operation once against the demo organization `egret-ai` (name "Egret AI", no
 * allowed domains) and returns, per operation, the API requests it sent, plus the created
 * resource's properties for the state weight.
 */
async function measureOperations(host, emulator, provider, urnOf) {
  const urn = urnOf(TYPE, "main");
  const withProvider = (properties) => ({ ...properties, __provider: provider });
  const counts = {};

  async function count(name, operation) {
    await emulator.clearRequests();
    const result = await operation();
    const requests = await emulator.requests();
    counts[name] = requests.map((entry) => entry.method);
    return result;
  }

  await emulator.reset();
  const quickstart = { slug: "egret-ai", name: "Egret AI LLC", allowedDomains: ["business-continuity"] };
  const { inputs } = await count("check", () => host.check(urn, {}, withProvider(quickstart)));
  const created = await count("create, values differ", () => host.create(urn, inputs));
  await count("diff", () => host.diff(created.id, urn, created.properties, inputs));

  const { inputs: renamed } = await host.check(urn, inputs, withProvider({ ...quickstart, name: "Egret AI Inc" }));
  const updated = await count("update", () => host.update(created.id, urn, created.properties, renamed));
  const read = await count("read (refresh)", () => host.read(created.id, urn, updated.properties));
  await count("delete", () => host.delete(created.id, urn, read.properties));

  await emulator.reset();
  const { inputs: matching } = await host.check(urn, {}, withProvider({ slug: "egret-ai", name: "Egret AI", allowedDomains: [] }));
  await count("create, values already equal", () => host.create(urn, matching));

  await emulator.reset();
  const { inputs: restoring } = await host.check(urn, {}, withProvider({ ...quickstart, restoreOnDelete: true }));
  const adopted = await host.create(urn, restoring);
  await count("delete with restoreOnDelete", () => host.delete(adopted.id, urn, adopted.properties));

  const rows = Object.entries(MINIMUM).map(([operation, minimum]) => ({
    operation,
    requests: counts[operation],
    minimum,
    atMinimum: counts[operation].join(" ") === minimum.join(" "),
  }));
  return { rows, createdProperties: created.properties };
}

/** Bytes of the serialized provider and of one resource's outputs, with and without `__provider`. */
function stateWeight(provider, createdProperties) {
  const { __provider, ...outputs } = createdProperties;
  return {
    providerBytes: Buffer.byteLength(provider),
    outputsBytes: Buffer.byteLength(JSON.stringify(outputs)),
    storedBytes: Buffer.byteLength(JSON.stringify(createdProperties)),
    providerInOutputs: __provider === provider,
  };
}

module.exports = { MINIMUM, TYPE, measureOperations, stateWeight };
