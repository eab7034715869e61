import {
  EgretClient,
  EgretConfigurationError,
  resolveApiUrl,
  tuningProblem,
  type EgretClientOptions,
  type ResolvedTuning,
} from "../sdk";

/**
 * Provider settings: where each comes from and how it is resolved. Stack config (`egret:<key>`)
 * wins over the environment variable; both are optional except the API key.
 */
export const SETTINGS = {
  apiKey: { config: "egret:apiKey", env: "EGRET_API_KEY" },
  apiUrl: { config: "egret:apiUrl", env: "EGRET_API_URL" },
  maxAttempts: { config: "egret:maxAttempts", env: "EGRET_MAX_ATTEMPTS" },
  retryBaseDelayMs: { config: "egret:retryBaseDelayMs", env: "EGRET_RETRY_BASE_DELAY_MS" },
  retryMaxDelayMs: { config: "egret:retryMaxDelayMs", env: "EGRET_RETRY_MAX_DELAY_MS" },
  attemptTimeoutMs: { config: "egret:attemptTimeoutMs", env: "EGRET_ATTEMPT_TIMEOUT_MS" },
  deadlineMs: { config: "egret:deadlineMs", env: "EGRET_DEADLINE_MS" },
  maxConcurrentRequests: { config: "egret:maxConcurrentRequests", env: "EGRET_MAX_CONCURRENT_REQUESTS" },
} as const;

type TuningKey = keyof ResolvedTuning;
const TUNING_KEYS: TuningKey[] = [
  "maxAttempts",
  "retryBaseDelayMs",
  "retryMaxDelayMs",
  "attemptTimeoutMs",
  "deadlineMs",
  "maxConcurrentRequests",
];

/** Reads one stack config value by its full key (`egret:apiKey`); undefined when unset. */
export type ConfigLookup = (key: string) => unknown;

/** Settings resolved from config and environment, ready to build a client. */
export interface ProviderSettings {
  apiKey?: string;
  /** `egret:apiKey` or `EGRET_API_KEY`: named in errors, never the key itself. */
  apiKeySource: string;
  apiUrl: string;
  tuning: Partial<ResolvedTuning>;
}

function pick(lookup: ConfigLookup, env: NodeJS.ProcessEnv, key: keyof typeof SETTINGS): { value?: string; source: string } {
  const { config, env: envName } = SETTINGS[key];
  const fromConfig = lookup(config);
  if (fromConfig !== undefined && fromConfig !== null && String(fromConfig).trim() !== "") {
    return { value: String(fromConfig).trim(), source: config };
  }
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    return { value: fromEnv.trim(), source: envName };
  }
  return { source: config };
}

/**
 * Resolves the provider settings. Raises EgretConfigurationError naming the setting and the
 * bad value for an invalid URL or number; the API key is never named by value.
 */
export function resolveSettings(lookup: ConfigLookup, env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const apiKey = pick(lookup, env, "apiKey");
  const apiUrl = pick(lookup, env, "apiUrl");
  const tuning: Partial<ResolvedTuning> = {};

  for (const key of TUNING_KEYS) {
    const { value, source } = pick(lookup, env, key);
    if (value === undefined) {
      continue;
    }
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    const problem = tuningProblem(key, number);
    if (problem !== undefined) {
      throw new EgretConfigurationError(`invalid ${source} '${value}': ${problem}`);
    }
    tuning[key] = number;
  }

  return {
    apiKey: apiKey.value,
    apiKeySource: apiKey.source,
    apiUrl: resolveApiUrl(apiUrl.value, apiUrl.source),
    tuning,
  };
}

/** Builds a client from resolved settings; raises a configuration error when no key is set. */
export function createClient(settings: ProviderSettings, extra: Partial<EgretClientOptions> = {}): EgretClient {
  if (settings.apiKey === undefined) {
    throw new EgretConfigurationError(
      "missing Egret API key: set it with 'pulumi config set --secret egret:apiKey <key>' " +
        "or the EGRET_API_KEY environment variable",
    );
  }
  return new EgretClient({
    apiKey: settings.apiKey,
    apiKeySource: settings.apiKeySource,
    apiUrl: settings.apiUrl,
    ...settings.tuning,
    ...extra,
  });
}
