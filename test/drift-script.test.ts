import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SCRIPT = resolve(__dirname, "../examples/drift-detection/detect-drift.sh");

/**
 * A stand-in for the Pulumi CLI, which cannot be installed here: it prints the version it is
 * given, exits from `preview --expect-no-changes` with the given code, and prints the given
 * document for `preview --json`. Every call's arguments go to calls.log.
 */
const FAKE_PULUMI = `#!/usr/bin/env bash
echo "$*" >>"$FAKE_DIR/calls.log"
case "$1" in
  version) echo "v$FAKE_VERSION" ;;
  preview)
    if [[ " $* " == *" --json "* ]]; then
      cat "$FAKE_DIR/preview.json"
      exit "$FAKE_JSON_EXIT"
    fi
    echo "Previewing update (stack)"
    exit "$FAKE_PREVIEW_EXIT"
    ;;
esac
`;

interface Run {
  status: number | null;
  result: string;
  calls: string[];
  stdout: string;
}

function runScript(options: { version: string; previewExit: number; json?: unknown; jsonExit?: number }): Run {
  const directory = mkdtempSync(join(tmpdir(), "egret-drift-"));
  writeFileSync(join(directory, "pulumi"), FAKE_PULUMI);
  chmodSync(join(directory, "pulumi"), 0o755);
  writeFileSync(join(directory, "preview.json"), JSON.stringify(options.json ?? {}));
  writeFileSync(join(directory, "calls.log"), "");
  const output = join(directory, "github-output");
  writeFileSync(output, "");

  const run = spawnSync("bash", [SCRIPT, "production", "infra"], {
    encoding: "utf8",
    env: {
      PATH: `${directory}:${process.env.PATH}`,
      FAKE_DIR: directory,
      FAKE_VERSION: options.version,
      FAKE_PREVIEW_EXIT: String(options.previewExit),
      FAKE_JSON_EXIT: String(options.jsonExit ?? 0),
      GITHUB_OUTPUT: output,
    },
  });
  return {
    status: run.status,
    result: readFileSync(output, "utf8").trim(),
    calls: readFileSync(join(directory, "calls.log"), "utf8").trim().split("\n"),
    stdout: run.stdout,
  };
}

describe("detect-drift.sh", () => {
  it("passes when the preview finds no changes", () => {
    const run = runScript({ version: "3.230.0", previewExit: 0 });

    expect(run.status).toBe(0);
    expect(run.result).toBe("result=clean");
    expect(run.calls[0]).toContain("preview --stack production --cwd infra --refresh --expect-no-changes");
  });

  it("reports drift on exit code 7", () => {
    const run = runScript({ version: "3.226.1", previewExit: 7 });

    expect(run.status).toBe(2);
    expect(run.result).toBe("result=drift");
    expect(run.calls.filter((call) => call.includes("--json"))).toEqual([]);
  });

  it("reports other exit codes as failures", () => {
    for (const previewExit of [1, 3, 4, 255]) {
      const run = runScript({ version: "3.240.0", previewExit });

      expect(run.status).toBe(1);
      expect(run.result).toBe("result=error");
    }
  });

  it("reads the JSON preview on an older CLI", () => {
    const run = runScript({
      version: "3.200.0",
      previewExit: 255,
      json: { steps: [], changeSummary: { same: 3, refresh: 4, update: 1 } },
    });

    expect(run.status).toBe(2);
    expect(run.result).toBe("result=drift");
    expect(run.stdout).toContain("1 update");
    expect(run.calls.some((call) => call.includes("--refresh --json"))).toBe(true);
  });

  it("fails on an older CLI when nothing changed", () => {
    const run = runScript({ version: "3.200.0", previewExit: 255, json: { changeSummary: { same: 3, refresh: 3 } } });

    expect(run.status).toBe(1);
    expect(run.result).toBe("result=error");
  });

  it("fails on an older CLI when the JSON preview fails", () => {
    const run = runScript({ version: "3.200.0", previewExit: 255, jsonExit: 255 });

    expect(run.status).toBe(1);
    expect(run.result).toBe("result=error");
  });
});
