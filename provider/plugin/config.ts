import { EgretConfigurationError } from "../../sdk";
import type { CheckFailure } from "../organization/types";
import { PACKAGE_NAME } from "../schema";
import { SETTINGS, resolveSettings, type ConfigLookup } from "../settings";
import { UNKNOWN, isSecret, reveal, secret, type Properties } from "./values";

/**
 * Provider configuration as the engine sends it. Configure carries each setting twice: in
 * `args`, keyed by property name (`apiKey`) with secrets still marked, and in `variables`, keyed
 * `egret:config:apiKey` with secrets unmarked and non-strings as JSON text (Configure in
 * sdk/go/common/resource/plugin/provider_plugin.go of pulumi/pulumi). CheckConfig and DiffConfig
 * carry the property-name form only, without secret marks.
 */

type SettingName = keyof typeof SETTINGS;
const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/**
 * Keys that the engine adds to a provider's configuration itself, besides keys starting with
 * `__`: `version` on every default provider, and `pluginDownloadURL` in state written by
 * engines that did not nest it under `__internal` yet.
 */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

/** Names the JSON type of a value, never the value itself, which may be the API key. */
function typeOf(value: unknown): string {
  if (Array.isArray(value)) {
    return "a list";
  }
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * Returns what is wrong with the type of a setting's value, or undefined. The API key and URL
 * must be strings. A tuning setting may be a number or a string, because `pulumi config set`
 * stores plain values as strings and a provider's arguments may be numbers.
 */
function typeProblem(name: SettingName, value: unknown): string | undefined {
  const { config } = SETTINGS[name];
  if (name === "apiKey" && typeof value !== "string") {
    return `invalid ${config}: the key must be a string, got ${typeOf(value)}. Set it with 'pulumi config set --secret ${config} <key>'`;
  }
  if (name === "apiUrl" && typeof value !== "string") {
    return `invalid ${config}: the URL must be a string, got ${typeOf(value)}. Set it with 'pulumi config set ${config} <url>'`;
  }
  if (typeof value !== "string" && typeof value !== "number") {
    return `invalid ${config}: it must be a whole number, got ${typeOf(value)}. Set it with 'pulumi config set ${config} <number>'`;
  }
  return undefined;
}

/** Returns one failure for each configuration key that is neither a setting nor the engine's own. */
function unknownKeyFailures(news: Properties): CheckFailure[] {
  const known = SETTING_NAMES.map((name) => SETTINGS[name].config).join(", ");
  return Object.keys(news)
    .filter((key) => !Object.hasOwn(SETTINGS, key) && !ENGINE_KEYS.has(key) && !key.startsWith("__"))
    .map((key) => ({
      property: key,
      reason:
        `unknown configuration key '${PACKAGE_NAME}:${key}': the ${PACKAGE_NAME} provider takes ${known}. ` +
        `Correct its name, or remove it with 'pulumi config rm ${PACKAGE_NAME}:${key}'`,
    }));
}

/** Property name of a setting's config key: `egret:apiKey` becomes `apiKey`. */
function propertyName(configKey: string): string {
  return configKey.slice(configKey.indexOf(":") + 1);
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== UNKNOWN;
}

/**
 * Builds the lookup that provider/settings.ts reads from a Configure request: `args` first,
 * then the `egret:config:<name>` variable, then the older `egret:<name>` variable. Raises
 * EgretConfigurationError for a value in `args` of the wrong type.
 */
export function configureLookup(args: Properties, variables: ReadonlyMap<string, string>): ConfigLookup {
  return (configKey) => {
    const name = propertyName(configKey);
    const fromArgs = reveal(args[name]);
    if (isSet(fromArgs)) {
      const problem = typeProblem(name as SettingName, fromArgs);
      if (problem !== undefined) {
        throw new EgretConfigurationError(problem);
      }
      return fromArgs;
    }
    return variables.get(`${PACKAGE_NAME}:config:${name}`) ?? variables.get(configKey);
  };
}

/**
 * Validates each setting with the rules of provider/settings.ts, one failure per invalid
 * setting, and one per unknown key. The environment is not read here: a setting left out may
 * still come from its environment variable, so a missing key is reported by Configure. Returns
 * the inputs with `apiKey` marked secret, so Pulumi stores the key encrypted even when it was
 * set without `--secret`.
 */
export function checkConfig(news: Properties): { inputs: Properties; failures: CheckFailure[] } {
  const failures = unknownKeyFailures(news);
  for (const name of SETTING_NAMES) {
    const value = reveal(news[name]);
    if (!isSet(value)) {
      continue;
    }
    const problem = typeProblem(name, value);
    if (problem !== undefined) {
      failures.push({ property: name, reason: problem });
      continue;
    }
    try {
      resolveSettings((key) => (key === SETTINGS[name].config ? value : undefined), {});
    } catch (error) {
      if (!(error instanceof EgretConfigurationError)) {
        throw error;
      }
      failures.push({ property: name, reason: error.message });
    }
  }

  const inputs: Properties = { ...news };
  if (isSet(news.apiKey) && !isSecret(news.apiKey)) {
    inputs.apiKey = secret(news.apiKey);
  }
  return { inputs, failures };
}

/**
 * Returns the settings whose value changed. A change never replaces the provider: its
 * resources are kept, and the next operation uses the new settings.
 */
export function diffConfig(olds: Properties, news: Properties): string[] {
  return SETTING_NAMES.filter((name) => JSON.stringify(reveal(olds[name])) !== JSON.stringify(reveal(news[name])));
}
