import { dirname, join } from "node:path";

/** `@pulumi/pulumi/cmd/run-plugin/index.js`, the script the Node.js language host runs to start a plugin. */
const RUN_PLUGIN_SCRIPT = /[\\/]@pulumi[\\/]pulumi[\\/]cmd[\\/]run-plugin[\\/]index\.js$/;

/**
 * Whether `entry` was loaded as the plugin by Pulumi's run-plugin: the process's main script is
 * run-plugin, and run-plugin's run.js, which requires the plugin directory, is the module that
 * loaded `entry`. A program, or another plugin that imports this package, fails the second test.
 */
export function startedByRunPlugin(entry: NodeJS.Module): boolean {
  const main = require.main;
  if (main === undefined || !RUN_PLUGIN_SCRIPT.test(main.filename)) {
    return false;
  }
  const runner = require.cache[join(dirname(main.filename), "run.js")];
  return runner?.children.includes(entry) ?? false;
}

/**
 * Starts the provider's gRPC server; run-plugin calls this and then leaves the process to the
 * server. run-plugin has set `process.argv` to the arguments after the plugin directory, the
 * last of which is the engine's address.
 */
export async function startPlugin(): Promise<void> {
  // Required here, so a program that imports the package never loads the server.
  const { servePlugin } = await import("./server");
  const { engineAddressFromArgs } = await import("../engine-log");
  await servePlugin(engineAddressFromArgs(process.argv.slice(2)));
}
