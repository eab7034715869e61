import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { FleetFileError } from "@egret/pulumi";
import { parseFleet } from "../examples/fleet/fleet";
import { runProgram } from "./helpers/program";

const ORGANIZATION_TYPE = "pulumi-nodejs:dynamic/egret:Organization";

/** A fleet file with three mistakes in three entries. */
const BROKEN_FLEET = `
- slug: egret-ai
  name: Egret AI LLC
  allowedDomain: [legal]
- slug: egret-labs
  allowedDomains: [business-continuity, "Not A Domain"]
- slug: egret-ai
  name: Egret AI again
`;

function writeFleet(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "egret-fleet-")), "organizations.yaml");
  writeFileSync(path, text);
  return path;
}

function problemsOf(text: string) {
  try {
    parseFleet(text);
  } catch (error) {
    expect(error).toBeInstanceOf(FleetFileError);
    return (error as FleetFileError).problems;
  }
  throw new Error("parseFleet accepted the file");
}

describe("fleet program", () => {
  it("registers one Organization per entry", async () => {
    vi.resetModules();

    const { resources, exports } = await runProgram(() => import("../examples/fleet/index"), {
      config: { "egret-test:organizationsFile": join(__dirname, "../examples/fleet/organizations.yaml") },
      newState: (resource) => ({ ...resource.inputs, documentsUsedPercent: 2, storageUsedPercent: 0, membersUsedPercent: 20 }),
    });

    // Registration order follows the asynchronous serialization of each resource, not the file.
    const byName = new Map(resources.map((resource) => [resource.name, resource]));
    expect([...byName.keys()].sort()).toEqual(["egret-ai", "egret-labs"]);
    expect(resources.every((resource) => resource.type === ORGANIZATION_TYPE)).toBe(true);
    expect(byName.get("egret-ai")?.inputs).toMatchObject({
      slug: "egret-ai",
      name: "Egret AI LLC",
      allowedDomains: ["business-continuity"],
      quotaWarningPercent: 90,
    });
    expect(byName.get("egret-labs")?.inputs).toMatchObject({ slug: "egret-labs", name: "Egret Labs", allowedDomains: [] });
    expect(exports.slugs).toEqual(["egret-ai", "egret-labs"]);
    expect(exports.usage).toEqual({
      "egret-ai": { documents: 2, storage: 0, members: 20 },
      "egret-labs": { documents: 2, storage: 0, members: 20 },
    });
  });

  it("passes date-like and hex-like values as strings", async () => {
    vi.resetModules();
    const path = writeFleet("- slug: 0x1F\n  name: 2024-01-01\n");

    const { resources } = await runProgram(() => import("../examples/fleet/index"), {
      config: { "egret-test:organizationsFile": path },
    });

    expect(resources).toHaveLength(1);
    expect(resources[0].name).toBe("0x1F");
    expect(resources[0].inputs).toMatchObject({ slug: "0x1F", name: "2024-01-01" });
  });

  it("reports three mistakes in one error", async () => {
    vi.resetModules();
    const path = writeFleet(BROKEN_FLEET);

    const error = await runProgram(() => import("../examples/fleet/index"), {
      config: { "egret-test:organizationsFile": path },
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain("organizations.yaml has 3 problems; fix them, then run pulumi up again:");
    expect(message).toContain("entry 1 (slug 'egret-ai'), allowedDomain: unknown key 'allowedDomain'");
    expect(message).toContain("entry 2 (slug 'egret-labs'), allowedDomains[1]: invalid domain \"Not A Domain\"");
    expect(message).toContain("entry 3 (slug 'egret-ai'), slug: slug 'egret-ai' is listed in entries 1, 3");
    expect(message.split("\n")).toHaveLength(4);
  });
});

describe("parseFleet", () => {
  it("normalizes valid entries", () => {
    const entries = parseFleet("- slug: egret-ai\n  allowedDomains: [legal, finance, legal]\n- slug: egret-labs\n");

    expect(entries).toEqual([{ slug: "egret-ai", allowedDomains: ["finance", "legal"] }, { slug: "egret-labs" }]);
  });

  it("keeps scalars as written", () => {
    const entries = parseFleet("- slug: 0x1F\n  name: 2024-01-01\n- slug: egret-ai\n  name: 1e3\n  allowedDomains: [legal]\n");

    expect(entries).toEqual([
      { slug: "0x1F", name: "2024-01-01" },
      { slug: "egret-ai", name: "1e3", allowedDomains: ["legal"] },
    ]);
  });

  it("rejects null names", () => {
    const problems = problemsOf('- slug: egret-ai\n  name: null\n- slug: egret-labs\n  name: ~\n- slug: other-co\n  name: "null"\n');

    expect(problems.map((problem) => [problem.entry, problem.field])).toEqual([
      [1, "name"],
      [2, "name"],
    ]);
  });

  it("names at most ten duplicate entries", () => {
    const problems = problemsOf("- slug: egret-ai\n".repeat(25));

    expect(problems).toHaveLength(1);
    expect(problems[0].reason).toContain("1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 15 more");
  });

  it("accepts an empty list", () => {
    expect(parseFleet("[]")).toEqual([]);
  });

  it("rejects a file that is not a list", () => {
    const problems = problemsOf("organizations:\n  - slug: egret-ai\n");

    expect(problems).toHaveLength(1);
    expect(problems[0].entry).toBeUndefined();
    expect(problems[0].reason).toContain("must be a list of organizations");
    expect(problems[0].reason).toContain("got a mapping");
  });

  it("rejects an empty file", () => {
    const problems = problemsOf("# nothing yet\n");

    expect(problems[0].reason).toContain("the file is empty");
  });

  it("reports YAML syntax errors", () => {
    const problems = problemsOf("- slug: egret-ai\n  name: [unclosed\n");

    expect(problems).toHaveLength(1);
    expect(problems[0].reason).toContain("the file is not valid YAML");
    expect(problems[0].reason).toContain("organizations.yaml");
  });

  it("reports a key repeated in one entry", () => {
    const problems = problemsOf("- slug: egret-ai\n  slug: egret-labs\n");

    expect(problems[0].reason).toContain("duplicated mapping key");
  });

  it("reports entries that are not mappings", () => {
    const problems = problemsOf("- egret-ai\n- slug: egret-labs\n");

    expect(problems).toEqual([
      { entry: 1, field: "", reason: 'an entry must be a mapping with slug, name and allowedDomains, got string "egret-ai"' },
    ]);
  });

  it("reports every check failure of an entry", () => {
    const problems = problemsOf('- name: "  "\n  allowedDomains: legal\n');

    expect(problems.map((problem) => [problem.entry, problem.field])).toEqual([
      [1, "slug"],
      [1, "name"],
      [1, "allowedDomains"],
    ]);
    expect(problems[0].reason).toContain("missing required property 'slug'");
  });

  it("rejects Organization settings in an entry", () => {
    const problems = problemsOf("- slug: egret-ai\n  restoreOnDelete: true\n");

    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe("restoreOnDelete");
    expect(problems[0].reason).toContain("an entry takes slug, name, allowedDomains");
  });
});
