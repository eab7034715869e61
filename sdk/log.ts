/**
 * Debug logging of API requests. Off by default; `EGRET_LOG=debug` turns it on. Log lines hold
 * the method, path, status, duration, attempt number and the wait before the next attempt,
 * never a header, so the `Authorization` header cannot reach a log.
 */

/** Fields of one logged attempt. */
export interface AttemptLogFields {
  method: string;
  path: string;
  attempt: number;
  maxAttempts: number;
  /** HTTP status, or undefined when no response arrived. */
  status?: number;
  durationMs: number;
  /** Cause of an attempt without a complete response: a timeout or a connection error code. */
  error?: string;
  /** Wait before the next attempt, in milliseconds; undefined when no attempt follows. */
  retryInMs?: number;
}

/** Receives one call per attempt when debug logging is on. */
export interface Logger {
  debug(message: string, fields: AttemptLogFields): void;
}

/** Environment variable that sets the log level; `debug` turns request logging on. */
export const LOG_LEVEL_ENV = "EGRET_LOG";

/** Writes each line to stderr with an `[egret]` prefix. */
export const stderrLogger: Logger = {
  debug(message) {
    process.stderr.write(`[egret] ${message}\n`);
  },
};

/** Returns the logger chosen by `EGRET_LOG`, or undefined when logging is off. */
export function loggerFromEnv(env: NodeJS.ProcessEnv = process.env): Logger | undefined {
  return env[LOG_LEVEL_ENV]?.trim().toLowerCase() === "debug" ? stderrLogger : undefined;
}

/** Formats one attempt as a single log line. */
export function formatAttempt(fields: AttemptLogFields): string {
  const outcome =
    fields.status === undefined
      ? (fields.error ?? "no response")
      : `${fields.status}${fields.error === undefined ? "" : ` (${fields.error})`}`;
  const next = fields.retryInMs !== undefined ? `; retrying in ${fields.retryInMs} ms` : "";
  return (
    `${fields.method} ${fields.path} attempt ${fields.attempt}/${fields.maxAttempts}: ` +
    `${outcome} in ${fields.durationMs} ms${next}`
  );
}
