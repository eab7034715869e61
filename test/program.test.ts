import { beforeAll, describe, expect, it } from "vitest";
import { runProgram, type RegisteredResource } from "./helpers/program";

const QUICKSTART_STATE = {
  organizationId: "0d4f8133-cefb-47da-8a7b-fb118b1895e9",
  maxDocuments: 50,
  documentCount: 1,
  maxStorageMb: 500,
  storageUsedMb: 0.39,
  maxMembers: 5,
  memberCount: 1,
  kbStatus: "active",
};

describe("quickstart program", () => {
  let resources: RegisteredResource[];
  let exports: Record<string, unknown>;

  beforeAll(async () => {
    ({ resources, exports } = await runProgram(() => import("../examples/quickstart/index"), {
      newState: (resource) => ({ ...resource.inputs, ...QUICKSTART_STATE }),
    }));
  });

  it("registers one dynamic Organization", () => {
    expect(resources).toHaveLength(1);
    expect(resources[0].type).toBe("pulumi-nodejs:dynamic/egret:Organization");
    expect(resources[0].name).toBe("main");
  });

  it("sends the managed inputs", () => {
    const inputs = resources[0].inputs;
    expect(inputs.slug).toBe("egret-ai");
    expect(inputs.name).toBe("Egret AI LLC");
    expect(inputs.allowedDomains).toEqual(["business-continuity"]);
    expect(inputs).not.toHaveProperty("restoreOnDelete");
  });

  it("exports the quota outputs", () => {
    expect(exports.maxDocuments).toBe(50);
    expect(exports.storageUsedMb).toBe(0.39);
    expect(exports.kbStatus).toBe("active");
  });

  it("serializes a small provider stub", () => {
    const provider = resources[0].inputs.__provider;
    expect(typeof provider).toBe("string");
    const text = provider as string;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
    expect(text).toContain('require("@egret/pulumi/dynamic-handler")');
    for (const logic of ["getOrganization", "updateOrganization", "normalizeDomains", "undici", "zod", "checkOrganization"]) {
      expect(text).not.toContain(logic);
    }
  });
});
