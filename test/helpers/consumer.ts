import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../..");

/**
 * The consumer project of this test run. The global setup installs it into a directory of its
 * own and passes the path through the environment, so concurrent runs never share one.
 */
export const CONSUMER_DIR = process.env.EGRET_CONSUMER_DIR ?? join(ROOT, ".tmp", "consumer");

/**
 * Packs the package with `npm pack` and installs the tarball into a fresh consumer project, as a
 * user's Pulumi program would have it. Dependencies come from npm's cache when `npm ci` already
 * fetched them. Returns the consumer project's directory.
 */
export function installConsumer(consumerDir: string): string {
  const packDir = join(consumerDir, "pack");
  rmSync(consumerDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });

  execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(packDir).find((file) => file.endsWith(".tgz"));
  if (tarball === undefined) {
    throw new Error(`npm pack wrote no tarball into ${packDir}`);
  }

  writeFileSync(
    join(consumerDir, "package.json"),
    JSON.stringify({ name: "egret-consumer", private: true, version: "0.0.0" }, null, 2),
  );
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(packDir, tarball)],
    { cwd: consumerDir, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (!existsSync(join(consumerDir, "node_modules", "@egret", "pulumi", "package.json"))) {
    throw new Error("the tarball did not install @egret/pulumi into the consumer project");
  }
  return consumerDir;
}
