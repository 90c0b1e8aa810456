export interface RemoteProviderOptions {
  /** One key or a comma-separated pool, rotated round-robin. */
  readonly apiKeys: string;
  readonly model?: string;
  /** Override of the API's origin, e.g. a proxy or a local test server. */
  readonly baseUrl?: string;
  readonly maxOutputTokens?: number;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
