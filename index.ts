/**
 * Entry point of the `@egret/pulumi` package (package.json `main` and `exports["."]`).
 *
 * A program that imports the package gets the library from provider/index.ts; loading it starts
 * nothing and opens no port.
 *
 * Pulumi starts the source-based plugin declared in PulumiPlugin.yaml through this same file:
 * the Node.js language host runs `node <package>/node_modules/@pulumi/pulumi/cmd/run-plugin
 * <package> <engine address>`, whose run.js requires the package directory (resolved through
 * `main` to this file) and calls the export if it is a function. So only when run.js is the
 * module that loaded this file is the export replaced by a function that starts the provider's
 * gRPC server.
 */
import { startedByRunPlugin, startPlugin } from "./provider/plugin/launch";

export * from "./provider";

if (startedByRunPlugin(module)) {
  module.exports = startPlugin;
}
