import type { ProviderName } from './ai-provider';
import { ChatModelProvider } from './chat-model-provider';
import { KeyPool } from './key-pool';
import type { ProviderError } from './provider-error';
import type { RemoteProviderOptions, SdkClientSettings } from './remote-provider-options';

/** What differs between hosted chat APIs before their request shapes do. */
export interface RemoteChatDefaults<C> {
  readonly provider: ProviderName;
  readonly model: string;
  /** Builds the vendor SDK's client for one key. */
  readonly createClient: (apiKey: string, settings: SdkClientSettings) => C;
}

/**
 * A hosted chat API reached through its vendor SDK with an API key: the key
 * pool (one SDK client per key), the model and the output budget are set up
 * the same way for every vendor.
 */
export abstract class RemoteChatProvider<C> extends ChatModelProvider {
  readonly model: string;
  protected readonly keys: KeyPool<C>;
  protected readonly maxOutputTokens: number;

  constructor(options: RemoteProviderOptions, defaults: RemoteChatDefaults<C>) {
    super();
    this.keys = new KeyPool(
      defaults.provider,
      options.apiKeys,
      (key) => defaults.createClient(key, options),
      { onQuarantine: options.onKeyQuarantined },
    );
    this.model = options.model ?? defaults.model;
    this.maxOutputTokens = options.maxOutputTokens ?? 1024;
  }

  unusableNow(): ProviderError | undefined {
    return this.keys.available === 0 ? this.keys.restingError() : undefined;
  }
}
