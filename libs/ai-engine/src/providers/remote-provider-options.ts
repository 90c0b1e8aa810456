import type { KeyQuarantineEvent } from './key-pool';

/** How an SDK client is set up, apart from its key. */
export interface SdkClientSettings {
  /**
   * The API's base URL as its SDK takes it, e.g. a proxy, a compatible
   * service or a local test server: `https://api.openai.com/v1`,
   * `https://api.anthropic.com`, `https://generativelanguage.googleapis.com`.
   */
  readonly baseUrl?: string;
  /** Answers larger than this fail as malformed; MAX_PROVIDER_RESPONSE_BYTES by default. */
  readonly maxResponseBytes?: number;
}

export interface RemoteProviderOptions extends SdkClientSettings {
  /** One key or a comma-separated pool, rotated round-robin. */
  readonly apiKeys: string;
  readonly model?: string;
  readonly maxOutputTokens?: number;
  /** Told once each time a key is quarantined after a 401/403, e.g. to log it. */
  readonly onKeyQuarantined?: (event: KeyQuarantineEvent) => void;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
