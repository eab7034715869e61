import { request } from "undici";

/** One entry of the emulator's request log. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  receivedAt: number;
  body: unknown;
  retryAfter: string | number | null;
  fault: boolean;
}

async function control(baseUrl: string, method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<unknown> {
  const response = await request(`${baseUrl}/_emulator/${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) {
    throw new Error(`emulator control ${method} ${path} failed with ${response.statusCode}: ${text}`);
  }
  return text === "" ? undefined : JSON.parse(text);
}

/** Test-side handle on the emulator's control endpoints. */
export class EmulatorControl {
  constructor(readonly url: string) {}

  reset(seed?: unknown): Promise<unknown> {
    return control(this.url, "POST", "reset", seed);
  }

  /** Changes an organization as the dashboard or real usage would. */
  patchOrganization(slug: string, fields: Record<string, unknown>): Promise<unknown> {
    return control(this.url, "PATCH", `orgs/${slug}`, fields);
  }

  async requests(): Promise<LoggedRequest[]> {
    return (await control(this.url, "GET", "requests")) as LoggedRequest[];
  }

  async clearRequests(): Promise<void> {
    await control(this.url, "DELETE", "requests");
  }

  addFault(fault: Record<string, unknown>): Promise<unknown> {
    return control(this.url, "POST", "faults", fault);
  }

  throttle(rate: number | null): Promise<unknown> {
    return control(this.url, "POST", "throttle", { rate });
  }

  /** Returns the emulator's state: domains, organizations, throttle, faults and requests in flight. */
  async state(): Promise<{ requestsInFlight: { current: number; max: number } } & Record<string, unknown>> {
    return (await control(this.url, "GET", "state")) as { requestsInFlight: { current: number; max: number } };
  }

  /** Returns the stored organization through the control endpoint, which needs no API key. */
  async storedOrganization(slug: string): Promise<Record<string, unknown>> {
    return (await control(this.url, "GET", `orgs/${slug}`)) as Record<string, unknown>;
  }

  /** Returns the stored organization as the API would serialize it. */
  async organization(slug: string): Promise<Record<string, unknown>> {
    const response = await request(`${this.url}/v1/orgs/${slug}/`, {
      headers: { authorization: "Bearer egret_demo_key" },
    });
    const body = (await response.body.json()) as Record<string, unknown>;
    return body;
  }
}
