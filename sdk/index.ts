export * from "./client";
export * from "./errors";
export { formatAttempt, loggerFromEnv, LOG_LEVEL_ENV, stderrLogger, type AttemptLogFields, type Logger } from "./log";
export { ConcurrencyLimiter } from "./limiter";
export * from "./model";
export * from "./options";
export * from "./retry";
