export * from "./check";
export * from "./logic";
export * from "./lookup";
export * from "./quota";
export * from "./readiness";
export * from "./types";
