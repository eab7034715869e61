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

/** Property name of a setting's config key: `egret:apiKey` becomes `apiKey`. */
function propertyName(configKey: string): string {
  return configKey.slice(configKey.indexOf(":") + 1);
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== UNKNOWN;
}

/**
 * Builds the lookup that provider/settings.ts reads from a Configure request: `args` first,
 * then the `egret:config:<name>` variable, then the older `egret:<name>` variable.
 */
export function configureLookup(args: Properties, variables: ReadonlyMap<string, string>): ConfigLookup {
  return (configKey) => {
    const name = propertyName(configKey);
    const fromArgs = reveal(args[name]);
    if (isSet(fromArgs)) {
      return fromArgs;
    }
    return variables.get(`${PACKAGE_NAME}:config:${name}`) ?? variables.get(configKey);
  };
}

/**
 * Validates each setting with the rules of provider/settings.ts, one failure per invalid
 * setting. The environment is not read here: a setting left out may still come from its
 * environment variable when the provider is configured. Returns the inputs with `apiKey`
 * marked secret, so Pulumi stores the key encrypted even when it was set without `--secret`.
 */
export function checkConfig(news: Properties): { inputs: Properties; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  for (const name of SETTING_NAMES) {
    const value = reveal(news[name]);
    if (!isSet(value)) {
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
