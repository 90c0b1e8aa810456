import { ChatModelProvider } from './chat-model-provider';
import { KeyPool } from './key-pool';
import { trimSlash, type RemoteProviderOptions } from './remote-provider-options';

/** What differs between hosted chat APIs before their request shapes do. */
export interface RemoteChatDefaults {
  model: string;
  baseUrl: string;
}

/**
 * A hosted chat API reached with an API key: the key pool, the model and
 * the API origin are set up the same way for every vendor.
 */
export abstract class RemoteChatProvider extends ChatModelProvider {
  readonly model: string;
  protected readonly keys: KeyPool;
  protected readonly baseUrl: string;
  protected readonly maxOutputTokens: number;

  constructor(options: RemoteProviderOptions, defaults: RemoteChatDefaults) {
    super();
    this.keys = new KeyPool(options.apiKeys);
    this.model = options.model ?? defaults.model;
    this.baseUrl = trimSlash(options.baseUrl ?? defaults.baseUrl);
    this.maxOutputTokens = options.maxOutputTokens ?? 1024;
  }
}
