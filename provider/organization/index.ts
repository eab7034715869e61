export * from "./check";
export * from "./logic";
export * from "./types";
