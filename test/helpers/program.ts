import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered, as the mock monitor saw it. */
export interface RegisteredResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` and returns the resources it registered
 * and its resolved stack exports. `newState` gives each resource's outputs from its inputs.
 */
export async function runProgram(
  load: () => Promise<Record<string, unknown>>,
  options: {
    config?: Record<string, string>;
    newState?: (resource: RegisteredResource) => Record<string, unknown>;
  } = {},
): Promise<{ resources: RegisteredResource[]; exports: Record<string, unknown> }> {
  const resources: RegisteredResource[] = [];
  if (options.config) {
    pulumi.runtime.setAllConfig(options.config);
  }
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const resource = { type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> };
        resources.push(resource);
        const state = options.newState ? options.newState(resource) : args.inputs;
        return { id: String(args.inputs.slug ?? `${args.name}-id`), state };
      },
      call(args) {
        return args.inputs;
      },
    },
    "egret-test",
    "test",
    false,
  );

  const module = await load();
  const exports: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(module)) {
    if (pulumi.Output.isInstance(value)) {
      exports[key] = await new Promise((resolve) => value.apply((resolved) => resolve(resolved)));
    }
  }
  return { resources, exports };
}
