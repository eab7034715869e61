import type { EgretClient } from "../sdk";
import { createClient, resolveSettings, type ConfigLookup, type ProviderSettings } from "./settings";

/**
 * One client per provider process, shared by every resource it serves, so the cap on requests
 * in flight (`maxConcurrentRequests`) holds for the whole process.
 */
export class ProviderContext {
  private settings?: ProviderSettings;
  private client?: EgretClient;
  /** Error of the last configure, kept until a later configure succeeds. */
  private configureError?: unknown;

  /**
   * Takes the provider configuration. An invalid value raises a configuration error at once,
   * and every later getClient raises it again. The dynamic provider host of @pulumi/pulumi
   * 3.248 calls configure only once per process, even when it fails, so a fallback to the
   * environment would send later requests to another URL or with another key.
   */
  configure(lookup: ConfigLookup, env: NodeJS.ProcessEnv = process.env): void {
    void this.client?.close();
    this.client = undefined;
    this.settings = undefined;
    this.configureError = undefined;

    try {
      this.settings = resolveSettings(lookup, env);
    } catch (error) {
      this.configureError = error;
      throw error;
    }
  }

  /** Raises the error of the last configure again, if it failed. */
  throwConfigureError(): void {
    if (this.configureError !== undefined) {
      throw this.configureError;
    }
  }

  /**
   * Returns the shared client, built on first use from the configuration, or from the
   * environment when configure was never called. Raises the last configure's error, if any.
   */
  getClient(): EgretClient {
    this.throwConfigureError();
    if (this.client === undefined) {
      this.settings ??= resolveSettings(() => undefined);
      this.client = createClient(this.settings);
    }
    return this.client;
  }
}
