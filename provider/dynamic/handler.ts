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
import type { OrganizationOutputs } from "../organization/types";
import { ProviderContext } from "../context";

const context = new ProviderContext();

/** The subset of `pulumi.dynamic.ConfigureRequest` that the handler reads. */
interface ConfigureRequest {
  config: { get(key: string): unknown };
}

export async function configure(request: ConfigureRequest): Promise<void> {
  context.configure((key) => request.config.get(key));
}

export async function check(_olds: Record<string, unknown>, news: Record<string, unknown>) {
  const { inputs, failures } = checkOrganization(news);
  return { inputs, failures };
}

export async function diff(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const result = diffOrganization(olds as Partial<OrganizationOutputs>, toInputs(news));
  return { changes: result.changes, replaces: result.replaces, deleteBeforeReplace: false };
}

export async function create(inputs: Record<string, unknown>) {
  const outs = await createOrganization(context.getClient(), toInputs(inputs));
  return { id: outs.slug, outs };
}

export async function read(id: string, props: Record<string, unknown>) {
  const state = props as Partial<OrganizationOutputs>;
  const result = await readOrganization(context.getClient(), state.slug ?? id, state);
  if (result === undefined) {
    // An empty ID tells the engine that the organization is gone.
    return { id: "", props: {} };
  }
  return { id, props: result.outputs, inputs: result.inputs };
}

export async function update(_id: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
  const outs = await updateOrganization(context.getClient(), olds as unknown as OrganizationOutputs, toInputs(news));
  return { outs };
}

async function deleteResource(_id: string, props: Record<string, unknown>): Promise<void> {
  await deleteOrganization(context.getClient(), props as Partial<OrganizationOutputs>);
}
export { deleteResource as delete };
