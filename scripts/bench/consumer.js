// Installs the npm pack tarball into a throwaway consumer project, as a user's Pulumi program
// would have it, the same way test/helpers/consumer.ts does for the test suites. The bench uses
// its own directory so that it never removes the consumer project of a test run in progress.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "../..");
const BENCH_DIR = path.join(ROOT, ".tmp", "bench");

/** Packs the package, installs the tarball into `.tmp/bench/consumer` and returns that directory. */
function installConsumer() {
  const packDir = path.join(BENCH_DIR, "pack");
  const consumerDir = path.join(BENCH_DIR, "consumer");
  fs.rmSync(packDir, { recursive: true, force: true });
  fs.rmSync(consumerDir, { recursive: true, force: true });
  fs.mkdirSync(packDir, { recursive: true });
  fs.mkdirSync(consumerDir, { recursive: true });

  execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const tarball = fs.readdirSync(packDir).find((file) => file.endsWith(".tgz"));
  if (tarball === undefined) {
    throw new Error(`npm pack wrote no tarball into ${packDir}`);
  }

  fs.writeFileSync(
    path.join(consumerDir, "package.json"),
    JSON.stringify({ name: "egret-bench-consumer", private: true, version: "0.0.0" }, null, 2),
  );
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", path.join(packDir, tarball)],
    { cwd: consumerDir, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (!fs.existsSync(path.join(consumerDir, "node_modules", "@egret", "pulumi", "package.json"))) {
    throw new Error("the tarball did not install @egret/pulumi into the bench consumer project");
  }
  return consumerDir;
}

module.exports = { BENCH_DIR, ROOT, installConsumer };
