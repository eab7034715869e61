import { Agent } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator, type RunningEmulator } from "../sdk/emulator";
import { EgretClient, type Clock } from "../sdk";
import {
  checkOrganization,
  createOrganization,
  diffOrganization,
  KnowledgeBaseStoppedError,
  KnowledgeBaseTimeoutError,
  KnowledgeBaseWaitCancelledError,
  OrganizationInitError,
  readOrganization,
  toInputs,
  updateOrganization,
  type OrganizationInputs,
} from "../provider/organization";
import { EmulatorControl } from "./helpers/emulator";

let emulator: RunningEmulator;
let control: EmulatorControl;
let client: EgretClient;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  control = new EmulatorControl(emulator.url);
  client = new EgretClient({ apiKey: "egret_demo_key", apiUrl: emulator.url, retryBaseDelayMs: 1, retryMaxDelayMs: 5 });
});

afterAll(async () => {
  await client.close();
  await emulator.close();
});

beforeEach(async () => {
  await control.reset();
  await control.patchOrganization("egret-ai", { kb_status: "provisioning" });
  await control.clearRequests();
});

/**
 * A virtual clock: `sleep` returns at once after moving time forward, and runs `onSleep` with
 * the number of the sleep (from 1), so a test can change the emulator between status checks.
 */
function virtualClock(onSleep: (sleep: number) => Promise<void> = async () => {}): Clock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms: number) {
      sleeps.push(ms);
      now += ms;
      await onSleep(sleeps.length);
    },
  };
}

const noJitter = () => 0;

function checked(news: Record<string, unknown>): OrganizationInputs {
  const { inputs, failures } = checkOrganization(news);
  expect(failures).toEqual([]);
  return toInputs(inputs);
}

async function apiRequests() {
  return (await control.requests()).map((entry) => `${entry.method} ${entry.path}`);
}

describe("readiness wait", () => {
  it("polls until provisioning turns active", async () => {
    const clock = virtualClock(async (sleep) => {
      if (sleep === 2) {
        await control.patchOrganization("egret-ai", { kb_status: "active" });
      }
    });

    const outputs = await createOrganization(
      client,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 60 }),
      { clock, random: noJitter },
    );

    expect(outputs.kbStatus).toBe("active");
    expect(outputs.waitForKbActive).toBe(true);
    expect(outputs.kbActiveTimeoutSeconds).toBe(60);
    expect(clock.sleeps).toEqual([2000, 4000]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/", "GET /v1/orgs/egret-ai/", "GET /v1/orgs/egret-ai/"]);
  });

  it("waits after the adopting PATCH", async () => {
    const clock = virtualClock(async () => {
      await control.patchOrganization("egret-ai", { kb_status: "active" });
    });

    const outputs = await createOrganization(
      client,
      checked({ slug: "egret-ai", name: "Egret AI LLC", waitForKbActive: true }),
      { clock, random: noJitter },
    );

    expect(outputs.name).toBe("Egret AI LLC");
    expect(outputs.kbStatus).toBe("active");
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/", "PATCH /v1/orgs/egret-ai/", "GET /v1/orgs/egret-ai/"]);
  });

  it("fails with the slug, status and wait on timeout", async () => {
    const clock = virtualClock();

    const error = await createOrganization(
      client,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 10 }),
      { clock, random: noJitter },
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrganizationInitError);
    const initError = error as OrganizationInitError;
    expect(initError.message).toContain("organization 'egret-ai'");
    expect(initError.message).toContain("still 'provisioning'");
    expect(initError.message).toContain("after waiting 10 s");
    expect(initError.message).toContain("3 status checks");
    expect(initError.message).toContain("kbActiveTimeoutSeconds");
    expect(initError.cause).toBeInstanceOf(KnowledgeBaseTimeoutError);
    expect(initError.id).toBe("egret-ai");
    expect(initError.properties.kbStatus).toBe("provisioning");
    expect(initError.properties.waitForKbActive).toBe(true);
    expect(clock.sleeps).toEqual([2000, 4000, 4000]);
    expect(await apiRequests()).toHaveLength(4);
  });

  it("stops at the operation timeout", async () => {
    const clock = virtualClock();

    const error = await createOrganization(
      client,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 60 }),
      { clock, random: noJitter, operationTimeout: { seconds: 5, deadline: clock.now() + 5000 } },
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrganizationInitError);
    const cause = (error as OrganizationInitError).cause as KnowledgeBaseTimeoutError;
    expect(cause).toBeInstanceOf(KnowledgeBaseTimeoutError);
    expect(cause.limit).toBe("operationTimeout");
    expect(cause.message).toContain("after waiting 5 s");
    expect(cause.message).toContain("ended by the operation timeout of 5 s set with customTimeouts");
    expect(cause.message).not.toContain("kbActiveTimeoutSeconds 60");
    expect((error as OrganizationInitError).properties.kbStatus).toBe("provisioning");
    expect(clock.sleeps).toEqual([2000, 3000]);
  });

  it("ignores a later operation timeout", async () => {
    const clock = virtualClock();

    const error = await createOrganization(
      client,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 10 }),
      { clock, random: noJitter, operationTimeout: { seconds: 60, deadline: clock.now() + 60_000 } },
    ).catch((caught: unknown) => caught);

    const cause = (error as OrganizationInitError).cause as KnowledgeBaseTimeoutError;
    expect(cause.limit).toBe("kbActiveTimeoutSeconds");
    expect(cause.message).toContain("kbActiveTimeoutSeconds 10");
    expect(clock.sleeps).toEqual([2000, 4000, 4000]);
  });

  it("stops between checks when cancelled", async () => {
    const controller = new AbortController();
    const clock = virtualClock(async (sleep) => {
      if (sleep === 2) {
        controller.abort();
      }
    });

    const error = await createOrganization(
      client,
      checked({ slug: "egret-ai", name: "Egret AI LLC", waitForKbActive: true, kbActiveTimeoutSeconds: 3600 }),
      { clock, random: noJitter, signal: controller.signal },
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrganizationInitError);
    const initError = error as OrganizationInitError;
    expect(initError.cause).toBeInstanceOf(KnowledgeBaseWaitCancelledError);
    expect(initError.message).toContain("organization 'egret-ai'");
    expect(initError.message).toContain("was cancelled by the Pulumi engine after 6 s");
    expect(initError.message).toContain("last status was 'provisioning'");
    expect(initError.id).toBe("egret-ai");
    expect(initError.properties.name).toBe("Egret AI LLC");
    expect(initError.properties.adoptedName).toBe("Egret AI");
    expect(clock.sleeps).toEqual([2000, 4000]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/", "PATCH /v1/orgs/egret-ai/", "GET /v1/orgs/egret-ai/"]);
  });

  it("stops during a status check when cancelled", async () => {
    // A client of its own, so that the status check left hanging is closed with its agent.
    const agent = new Agent();
    const hangingClient = new EgretClient({ apiKey: "egret_demo_key", apiUrl: emulator.url, dispatcher: agent });
    const controller = new AbortController();
    const clock = virtualClock(async () => {
      await control.addFault({ method: "GET", path: "/v1/orgs/egret-ai/", status: 200, delayMs: 600_000, times: 1 });
    });
    try {
      const waiting = createOrganization(
        hangingClient,
        checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 3600 }),
        { clock, random: noJitter, signal: controller.signal },
      ).catch((caught: unknown) => caught);
      while ((await control.state()).requestsInFlight.current === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      controller.abort();

      const error = await waiting;

      expect((error as OrganizationInitError).cause).toBeInstanceOf(KnowledgeBaseWaitCancelledError);
      expect(clock.sleeps).toEqual([2000]);
    } finally {
      await agent.destroy();
    }
  });

  it("makes no status check once cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const clock = virtualClock();

    const error = await createOrganization(
      client,
      checked({ slug: "egret-ai", waitForKbActive: true }),
      { clock, signal: controller.signal },
    ).catch((caught: unknown) => caught);

    expect((error as OrganizationInitError).cause).toBeInstanceOf(KnowledgeBaseWaitCancelledError);
    expect(clock.sleeps).toEqual([]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("stops at once on a suspended status", async () => {
    await control.patchOrganization("egret-ai", { kb_status: "suspended" });
    await control.clearRequests();
    const clock = virtualClock();

    const error = await createOrganization(
      client,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 3600 }),
      { clock, random: noJitter },
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrganizationInitError);
    const initError = error as OrganizationInitError;
    expect(initError.cause).toBeInstanceOf(KnowledgeBaseStoppedError);
    expect(initError.message).toContain("organization 'egret-ai' is 'suspended'");
    expect(initError.message).toContain("Egret dashboard");
    expect(initError.message).toContain("0 status checks");
    expect(initError.properties.kbStatus).toBe("suspended");
    expect(clock.sleeps).toEqual([]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("stops when a check returns failed", async () => {
    const clock = virtualClock(async () => {
      await control.patchOrganization("egret-ai", { kb_status: "failed" });
    });

    const error = await createOrganization(
      client,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 3600 }),
      { clock, random: noJitter },
    ).catch((caught: unknown) => caught);

    const cause = (error as OrganizationInitError).cause as KnowledgeBaseStoppedError;
    expect(cause).toBeInstanceOf(KnowledgeBaseStoppedError);
    expect(cause.status).toBe("failed");
    expect(cause.checks).toBe(1);
    expect((error as OrganizationInitError).properties.kbStatus).toBe("failed");
    expect(clock.sleeps).toEqual([2000]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/", "GET /v1/orgs/egret-ai/"]);
  });

  it("stops on a suspended status at update", async () => {
    await control.patchOrganization("egret-ai", { kb_status: "active" });
    const state = await createOrganization(client, checked({ slug: "egret-ai" }));
    await control.patchOrganization("egret-ai", { kb_status: "suspended" });
    await control.clearRequests();

    const error = await updateOrganization(
      client,
      state,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 60 }),
      { clock: virtualClock(), random: noJitter },
    ).catch((caught: unknown) => caught);

    expect((error as OrganizationInitError).cause).toBeInstanceOf(KnowledgeBaseStoppedError);
    expect((error as OrganizationInitError).properties.kbStatus).toBe("suspended");
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("caps the wait between checks at 30 s", async () => {
    const clock = virtualClock();

    await createOrganization(
      client,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 120 }),
      { clock, random: noJitter },
    ).catch(() => undefined);

    expect(clock.sleeps).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(clock.sleeps.reduce((total, ms) => total + ms, 0)).toBe(120_000);
  });

  it("makes no status check when not asked", async () => {
    const clock = virtualClock();

    const outputs = await createOrganization(client, checked({ slug: "egret-ai" }), { clock });

    expect(outputs.kbStatus).toBe("provisioning");
    expect(outputs.waitForKbActive).toBe(false);
    expect(clock.sleeps).toEqual([]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("makes no status check when already active", async () => {
    await control.patchOrganization("egret-ai", { kb_status: "active" });
    await control.clearRequests();
    const clock = virtualClock();

    await createOrganization(client, checked({ slug: "egret-ai", waitForKbActive: true }), { clock });

    expect(clock.sleeps).toEqual([]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("waits again on the update after a timeout", async () => {
    const inputs = checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 5 });
    const failed = await createOrganization(client, inputs, { clock: virtualClock(), random: noJitter }).catch(
      (caught: unknown) => caught as OrganizationInitError,
    );
    await control.patchOrganization("egret-ai", { kb_status: "active" });
    await control.clearRequests();

    const outputs = await updateOrganization(client, failed.properties, inputs, { clock: virtualClock(), random: noJitter });

    expect(outputs.kbStatus).toBe("active");
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("checks the live status on update", async () => {
    await control.patchOrganization("egret-ai", { kb_status: "active" });
    const state = await createOrganization(client, checked({ slug: "egret-ai" }));
    expect(state.kbStatus).toBe("active");
    await control.patchOrganization("egret-ai", { kb_status: "provisioning" });
    await control.clearRequests();
    const clock = virtualClock(async () => {
      await control.patchOrganization("egret-ai", { kb_status: "active" });
    });

    const outputs = await updateOrganization(client, state, checked({ slug: "egret-ai", waitForKbActive: true }), {
      clock,
      random: noJitter,
    });

    expect(outputs.kbStatus).toBe("active");
    expect(outputs.waitForKbActive).toBe(true);
    expect(clock.sleeps).toEqual([2000]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/", "GET /v1/orgs/egret-ai/"]);
  });

  it("makes one GET on update when active", async () => {
    await control.patchOrganization("egret-ai", { kb_status: "active" });
    const state = await createOrganization(client, checked({ slug: "egret-ai" }));
    await control.clearRequests();
    const clock = virtualClock();

    const outputs = await updateOrganization(client, state, checked({ slug: "egret-ai", waitForKbActive: true }), { clock });

    expect(outputs.kbStatus).toBe("active");
    expect(clock.sleeps).toEqual([]);
    expect(await apiRequests()).toEqual(["GET /v1/orgs/egret-ai/"]);
  });

  it("keeps the PATCH when the update times out", async () => {
    await control.patchOrganization("egret-ai", { kb_status: "active" });
    const state = await createOrganization(client, checked({ slug: "egret-ai", name: "Before" }));
    await control.patchOrganization("egret-ai", { kb_status: "provisioning" });
    await control.clearRequests();

    const error = await updateOrganization(
      client,
      state,
      checked({ slug: "egret-ai", name: "After", waitForKbActive: true, kbActiveTimeoutSeconds: 1 }),
      { clock: virtualClock(), random: noJitter },
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrganizationInitError);
    expect((error as OrganizationInitError).message).toContain("still 'provisioning'");
    expect((error as OrganizationInitError).properties.name).toBe("After");
    expect(await apiRequests()).toEqual(["PATCH /v1/orgs/egret-ai/", "GET /v1/orgs/egret-ai/"]);
  });
});

describe("readiness check", () => {
  it("reports bad readiness inputs", () => {
    const { failures } = checkOrganization({
      slug: "egret-ai",
      waitForKbActive: "yes",
      kbActiveTimeoutSeconds: 0,
      quotaWarningPercent: 150,
    });

    expect(failures.map((failure) => failure.property)).toEqual([
      "waitForKbActive",
      "kbActiveTimeoutSeconds",
      "quotaWarningPercent",
    ]);
    expect(failures[1].reason).toContain("from 1 to 3600");
    expect(failures[2].reason).toContain("at most 100");
  });

  it("rejects fractional and oversized timeouts", () => {
    for (const timeout of [1.5, 3601, "60", Number.NaN]) {
      const { failures } = checkOrganization({ slug: "egret-ai", kbActiveTimeoutSeconds: timeout });
      expect(failures.map((failure) => failure.property)).toEqual(["kbActiveTimeoutSeconds"]);
    }
  });

  it("accepts the limits of each range", () => {
    for (const news of [
      { kbActiveTimeoutSeconds: 1, quotaWarningPercent: 100 },
      { kbActiveTimeoutSeconds: 3600, quotaWarningPercent: 0.5 },
      { waitForKbActive: false },
    ]) {
      expect(checkOrganization({ slug: "egret-ai", ...news }).failures).toEqual([]);
    }
  });
});

describe("settings inputs", () => {
  it("keep their set values through a refresh", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai", quotaWarningPercent: 75 }));

    const refreshed = await readOrganization(client, "egret-ai", state);

    expect(refreshed?.inputs).toEqual({ slug: "egret-ai", quotaWarningPercent: 75 });
    expect(refreshed?.outputs.quotaWarningPercent).toBe(75);
    expect(refreshed?.outputs.kbActiveTimeoutSeconds).toBe(300);
  });

  it("diff as updates and never as replacements", async () => {
    const state = await createOrganization(client, checked({ slug: "egret-ai" }));

    const unchanged = diffOrganization(state, checked({ slug: "egret-ai", waitForKbActive: false, quotaWarningPercent: 90 }));
    const changed = diffOrganization(
      state,
      checked({ slug: "egret-ai", waitForKbActive: true, kbActiveTimeoutSeconds: 30, quotaWarningPercent: 80 }),
    );

    expect(unchanged.changes).toBe(false);
    expect(changed).toEqual({
      changes: true,
      updates: ["waitForKbActive", "kbActiveTimeoutSeconds", "quotaWarningPercent"],
      replaces: [],
    });
  });
});
