import type { EgretClient } from "../sdk";
import { createClient, resolveSettings, type ConfigLookup, type ProviderSettings } from "./settings";

/**
 * One client per provider process, shared by every resource it serves, so the cap on requests
 * in flight (`maxConcurrentRequests`) holds for the whole process.
 */
export class ProviderContext {
  private settings?: ProviderSettings;
  private client?: EgretClient;

  /** Takes the provider configuration; an invalid value raises a configuration error at once. */
  configure(lookup: ConfigLookup, env: NodeJS.ProcessEnv = process.env): void {
    this.settings = resolveSettings(lookup, env);
    void this.client?.close();
    this.client = undefined;
  }

  /** Returns the shared client, built on first use from the configuration or the environment. */
  getClient(): EgretClient {
    if (this.client === undefined) {
      this.settings ??= resolveSettings(() => undefined);
      this.client = createClient(this.settings);
    }
    return this.client;
  }
}
