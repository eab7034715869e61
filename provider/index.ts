/**
 * `@egret/pulumi`: manage Egret organizations with Pulumi.
 *
 * Importing this module only loads the library: it starts no server and opens no port.
 */
export { Organization, type OrganizationArgs } from "./dynamic/organization";
export type { OrganizationOutputs, ManagedField } from "./organization/types";
