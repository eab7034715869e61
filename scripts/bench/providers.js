// The serialized providers the bench sends as `__provider`. Ours is captured from the quickstart
// program. The empty one's create returns at once. The baseline is written the way Pulumi's
// dynamic provider guide writes one. All go through the closure serializer that
// `pulumi.dynamic.Resource` uses.
"use strict";
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");
const ts = require("typescript");
const pulumi = require("@pulumi/pulumi");
const { serializeFunction } = require("@pulumi/pulumi/runtime/closure/serializeClosure");
const { ROOT } = require("./consumer");

const QUICKSTART = path.join(ROOT, "examples/quickstart/index.ts");

/**
 * Runs examples/quickstart under `pulumi.runtime.setMocks` and returns the `__provider` text it
 * registered, like test/helpers/program.ts. The program imports `@egret/pulumi` by name, so the
 * name is mapped to the build in dist/, as the test suites map it.
 */
async function captureQuickstartProvider() {
  const registered = [];
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        registered.push(args.inputs);
        return { id: String(args.inputs.slug), state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    "egret-bench",
    "bench",
    false,
  );

  const source = fs.readFileSync(QUICKSTART, "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: QUICKSTART,
  });
  const program = new Module(QUICKSTART, module);
  program.filename = QUICKSTART;
  program.paths = Module._nodeModulePaths(path.dirname(QUICKSTART));
  const requireFromProgram = program.require.bind(program);
  program.require = (id) => {
    if (id === "@egret/pulumi") {
      return require(path.join(ROOT, "dist/provider/index.js"));
    }
    // The same @pulumi/pulumi instance as the mocks above, whatever the example has installed.
    if (id === "@pulumi/pulumi") {
      return pulumi;
    }
    return requireFromProgram(id);
  };
  program._compile(outputText, QUICKSTART);

  for (const value of Object.values(program.exports)) {
    if (pulumi.Output.isInstance(value)) {
      await new Promise((resolve) => value.apply(resolve));
    }
  }
  if (registered.length !== 1 || typeof registered[0].__provider !== "string") {
    throw new Error(`the quickstart registered ${registered.length} resources, expected one with a __provider string`);
  }
  return registered[0].__provider;
}

/** Serializes a provider object as `pulumi.dynamic.Resource` does. */
async function serializeProvider(provider) {
  const serialized = await serializeFunction(() => provider, { allowSecrets: true });
  return serialized.text;
}

/** A provider whose create returns at once: the floor of a cold start. */
function emptyProvider() {
  return {
    async create() {
      return { id: "empty", outs: {} };
    },
  };
}

/**
 * The baseline: a dynamic provider as a user writes one from Pulumi's guide. A small client is
 * captured in the closure with the URL and key, and each call uses the global `fetch` with no
 * agent of its own and no cap on requests in flight. With `maxAttempts` 1, a failed response
 * raises at once, as in the guide. Above 1, a 429 is retried after its `Retry-After`: the retry
 * loop a user adds after the first throttled run.
 */
function baselineProvider(apiUrl, apiKey, maxAttempts = 1) {
  const client = {
    async call(method, slug, body) {
      for (let attempt = 1; ; attempt += 1) {
        const response = await fetch(`${apiUrl}/v1/orgs/${slug}/`, {
          method,
          headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (response.status === 429 && attempt < maxAttempts) {
          const seconds = Number(response.headers.get("retry-after") ?? "1");
          await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
          continue;
        }
        if (!response.ok) {
          throw new Error(`${method} ${slug} failed: ${response.status} ${await response.text()}`);
        }
        return response.json();
      }
    },
  };

  function changes(inputs, current) {
    const body = {};
    if (inputs.name !== undefined && inputs.name !== current.name) {
      body.name = inputs.name;
    }
    if (inputs.allowedDomains !== undefined && JSON.stringify(inputs.allowedDomains) !== JSON.stringify(current.allowed_domains)) {
      body.allowed_domains = inputs.allowedDomains;
    }
    return body;
  }

  return {
    async create(inputs) {
      const current = await client.call("GET", inputs.slug);
      const body = changes(inputs, current);
      const organization = Object.keys(body).length > 0 ? await client.call("PATCH", inputs.slug, body) : current;
      return { id: inputs.slug, outs: { ...inputs, ...organization } };
    },
    async read(id, props) {
      const organization = await client.call("GET", id);
      return { id, props: { ...props, ...organization } };
    },
    async update(id, olds, news) {
      const organization = await client.call("PATCH", id, changes(news, olds));
      return { outs: { ...news, ...organization } };
    },
    async delete() {},
  };
}

module.exports = { baselineProvider, captureQuickstartProvider, emptyProvider, serializeProvider };
