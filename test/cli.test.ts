import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../sdk/emulator";
import { EmulatorControl } from "./helpers/emulator";

const pulumiFound = spawnSync("pulumi", ["version"], { encoding: "utf8" }).status === 0;
const QUICKSTART = resolve(__dirname, "../examples/quickstart");

// The Pulumi CLI cannot be installed on machines without outside network access; there this
// suite reports itself as skipped and every layer below the CLI is covered by the other suites.
describe.skipIf(!pulumiFound)("pulumi CLI on the quickstart (needs a pulumi binary on PATH)", () => {
  let emulator: RunningEmulator;
  let control: EmulatorControl;
  let backend: string;

  const pulumi = (...args: string[]) => {
    const result = spawnSync("pulumi", args, {
      cwd: QUICKSTART,
      encoding: "utf8",
      env: { ...process.env, PULUMI_BACKEND_URL: `file://${backend}`, PULUMI_CONFIG_PASSPHRASE: "egret-test" },
    });
    expect(result.status, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    control = new EmulatorControl(emulator.url);
    backend = mkdtempSync(join(tmpdir(), "egret-cli-"));
    expect(spawnSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: QUICKSTART }).status).toBe(0);
    pulumi("stack", "init", "cli-test");
    pulumi("config", "set", "egret:apiUrl", emulator.url);
    pulumi("config", "set", "--secret", "egret:apiKey", "egret_demo_key");
  }, 300_000);

  afterAll(async () => {
    await emulator?.close();
    rmSync(backend, { recursive: true, force: true });
    rmSync(join(QUICKSTART, "Pulumi.cli-test.yaml"), { force: true });
  });

  it("runs up, refresh and destroy", () => {
    pulumi("up", "--yes", "--skip-preview");
    const outputs = JSON.parse(pulumi("stack", "output", "--json")) as Record<string, unknown>;
    expect(outputs.name).toBe("Egret AI LLC");
    pulumi("refresh", "--yes");
    pulumi("preview", "--expect-no-changes");
    pulumi("destroy", "--yes");
    expect(pulumi("stack", "export")).not.toContain("egret_demo_key");
  }, 600_000);

  it("leaves the organization renamed after destroy", async () => {
    expect((await control.organization("egret-ai")).name).toBe("Egret AI LLC");
  });
});
