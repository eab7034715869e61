/**
 * A local HTTP emulator of the Egret Organizations API, for tests and demos.
 */

export { defaultSeed, DEMO_KEY, OTHER_KEY, SUSPENDED_KEY } from "./seed";
export type { EmulatorKey, EmulatorSeed, SeedOrganization } from "./seed";
export { DEFAULT_HOST, startEmulator } from "./server";
export type { RunningEmulator, StartEmulatorOptions } from "./server";
export { keyIdOf } from "./state";
export type { RequestLogEntry } from "./state";
export type { Fault } from "./faults";
export type { ThrottleSettings } from "./throttle";
