#!/usr/bin/env node
// The newcomer's first command: starts the Egret emulator, then runs the quickstart example
// with the Pulumi CLI (up, refresh, destroy) on a throwaway local backend, and prints the
// stack outputs. Without a `pulumi` binary on PATH it prints how to install one and exits 1.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { startEmulator } = require("../dist/sdk/emulator");

const ROOT = path.resolve(__dirname, "..");
const QUICKSTART = path.join(ROOT, "examples", "quickstart");
const DEMO_KEY = "egret_demo_key";

function findPulumi() {
  const result = spawnSync("pulumi", ["version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function run(command, args, options) {
  console.log(`\n$ ${[command, ...args].join(" ")}`);
  const result = spawnSync(command, args, { stdio: "inherit", ...options });
  if (result.status !== 0) {
    throw new Error(`'${command} ${args.join(" ")}' failed with exit code ${result.status}`);
  }
}

async function main() {
  const pulumiVersion = findPulumi();
  if (pulumiVersion === undefined) {
    console.error(
      [
        "The demo runs the quickstart with the Pulumi CLI, and no 'pulumi' was found on PATH.",
        "Install it (https://www.pulumi.com/docs/install/), for example:",
        "  curl -fsSL https://get.pulumi.com | sh    # Linux and macOS",
        "  brew install pulumi/tap/pulumi           # Homebrew",
        "then run 'npm run demo' again. 'npm test' exercises every layer below the CLI without it.",
      ].join("\n"),
    );
    process.exitCode = 1;
    return;
  }

  const emulator = await startEmulator({ port: 0 });
  console.log(`Egret emulator listening on ${emulator.url}`);
  const backend = fs.mkdtempSync(path.join(os.tmpdir(), "egret-demo-"));
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: "egret-demo",
    PULUMI_SKIP_UPDATE_CHECK: "true",
  };
  const options = { cwd: QUICKSTART, env };

  try {
    console.log(`Using ${pulumiVersion}; state lives in ${backend} and is removed at the end.`);
    run("npm", ["install", "--no-audit", "--no-fund"], options);
    run("pulumi", ["stack", "init", "demo"], options);
    run("pulumi", ["config", "set", "egret:apiUrl", emulator.url], options);
    run("pulumi", ["config", "set", "--secret", "egret:apiKey", DEMO_KEY], options);
    run("pulumi", ["up", "--yes", "--skip-preview"], options);
    run("pulumi", ["stack", "output"], options);
    run("pulumi", ["refresh", "--yes"], options);
    run("pulumi", ["destroy", "--yes"], options);
    run("pulumi", ["stack", "rm", "--yes", "demo"], options);
  } finally {
    await emulator.close();
    fs.rmSync(backend, { recursive: true, force: true });
    fs.rmSync(path.join(QUICKSTART, "Pulumi.demo.yaml"), { force: true });
  }
}

main().catch((error) => {
  console.error(`demo failed: ${error.message}`);
  process.exitCode = 1;
});
