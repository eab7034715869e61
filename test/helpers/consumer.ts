import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(__dirname, "../..");
export const CONSUMER_DIR = join(ROOT, ".tmp", "consumer");

/**
 * Packs the package with `npm pack` and installs the tarball into a fresh consumer project, as a
 * user's Pulumi program would have it. Dependencies come from npm's cache when `npm ci` already
 * fetched them. Returns the consumer project's directory.
 */
export function installConsumer(): string {
  const packDir = join(ROOT, ".tmp", "pack");
  rmSync(packDir, { recursive: true, force: true });
  rmSync(CONSUMER_DIR, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  mkdirSync(CONSUMER_DIR, { recursive: true });

  execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(packDir).find((file) => file.endsWith(".tgz"));
  if (tarball === undefined) {
    throw new Error(`npm pack wrote no tarball into ${packDir}`);
  }

  writeFileSync(
    join(CONSUMER_DIR, "package.json"),
    JSON.stringify({ name: "egret-consumer", private: true, version: "0.0.0" }, null, 2),
  );
  execFileSync(
    "npm",
    ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(packDir, tarball)],
    { cwd: CONSUMER_DIR, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (!existsSync(join(CONSUMER_DIR, "node_modules", "@egret", "pulumi", "package.json"))) {
    throw new Error("the tarball did not install @egret/pulumi into the consumer project");
  }
  return CONSUMER_DIR;
}
