/**
 * The dynamic provider's real implementation. The stub stored in state (`__provider`) requires
 * this module by package name and delegates every call here, so refresh and destroy always run
 * the installed version of the package, not code frozen into state.
 */
import { checkOrganization, toInputs } from "../organization/check";
import {
  createOrganization,
  deleteOrganization,
  diffOrganization,
  readOrganization,
  updateOrganization,
} from "../organization/logic";
import { quotaWarning } from "../organization/quota";
import type { OrganizationOutputs } from "../organization/types";
import { ProviderContext } from "../context";
import { EngineLog, engineAddressFromArgs } from "../engine-log";

const context = new ProviderContext();

/**
 * The engine's Log service, at the address the engine passed to the dynamic provider host as
 * its last argument. The host itself never connects to it (see engine-log.ts).
 */
const engineLog = new EngineLog(engineAddressFromArgs(process.argv.slice(2)));

/**
 * Warns when the organization uses at least `quotaWarningPercent` of a plan limit. The dynamic
 * provider host does not pass the resource's URN to create, update or read, so the warning is
 * sent without one: Pulumi shows it among the stack's diagnostics, and it names the slug.
 */
async function warnOnQuota(outputs: OrganizationOutputs): Promise<void> {
  const warning = quotaWarning(outputs, outputs.quotaWarningPercent);
  if (warning !== undefined) {
    await engineLog.warn(warning);
  }
}

/** The subset of `pulumi.dynamic.ConfigureRequest` that the handler reads. */
interface ConfigureRequest {
  config: { get(key: string): unknown };
}

export async function configure(request: ConfigureRequest): Promise<void> {
  context.configure((key) => request.config.get(key));
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
  // Check and diff need no client, but they fail like every other call after a failed configure.
  context.throwConfigureError();
  const { inputs, failures } = checkOrganization(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  context.throwConfigureError();
  const result = diffOrganization(olds as Partial<OrganizationOutputs>, toInputs(news));
  return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: false };
}

// The dynamic provider host (@pulumi/pulumi 3.248) replies to Cancel without passing it on to the
// provider, and passes no request timeout (customTimeouts) either. So create and update get no
// signal and no operation timeout, and a readiness wait here ends only at kbActiveTimeoutSeconds.
export async function create(inputs: Record<string, unknown>) {
  const outs = await createOrganization(context.getClient(), toInputs(inputs));
  await warnOnQuota(outs);
  return { id: outs.slug, outs };
}

export async function read(id: string, props: Record<string, unknown>) {
  const state = props as Partial<OrganizationOutputs>;
  const result = await readOrganization(context.getClient(), state.slug ?? id, state);
  if (result === undefined) {
    // An empty ID reports to the engine that the organization is gone.
    return { id: "", props: {} };
  }
  await warnOnQuota(result.outputs);
  return { id, props: result.outputs, inputs: result.inputs };
}

export async function update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const outs = await updateOrganization(context.getClient(), olds as unknown as OrganizationOutputs, toInputs(news));
  await warnOnQuota(outs);
  return { outs };
}

async function deleteResource(_id: string, props: Record<string, unknown>): Promise<void> {
  await deleteOrganization(context.getClient(), props as Partial<OrganizationOutputs>);
}
export { deleteResource as delete };
