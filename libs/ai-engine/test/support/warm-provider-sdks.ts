import { AnthropicProvider } from '../../src/providers/anthropic-provider';
import { GoogleProvider } from '../../src/providers/google-provider';
import { OpenAiProvider } from '../../src/providers/openai-provider';
import {
  anthropicReply,
  googleReply,
  openAiReply,
  startProviderServer,
} from './provider-test-server';

/**
 * Loads the provider SDKs and makes each one's first request, for a spec's
 * `beforeAll`. A first OpenAI request costs ~170 ms more than later ones on
 * an idle machine (the SDK loads its HTTP layer then) and several times that
 * on a loaded CI machine: inside a test's 1 s timeout it turned a healthy
 * reply into a timeout. jest gives each spec file its own module registry, so
 * every file that times provider calls warms its own copy.
 */
export async function warmProviderSdks(): Promise<void> {
  const openai = await startProviderServer(() => ({ body: openAiReply('warm') }));
  const anthropic = await startProviderServer(() => ({ body: anthropicReply('warm') }));
  const google = await startProviderServer(() => ({ body: googleReply('warm') }));
  try {
    const signal = new AbortController().signal;
    const text = { text: 'Warm.' };
    await new OpenAiProvider({ apiKeys: 'sk', baseUrl: `${openai.url}/v1` }).runTask(
      'summary',
      text,
      signal,
    );
    await new AnthropicProvider({ apiKeys: 'ak', baseUrl: anthropic.url }).runTask(
      'summary',
      text,
      signal,
    );
    await new GoogleProvider({ apiKeys: 'gk', baseUrl: google.url }).runTask(
      'summary',
      text,
      signal,
    );
  } finally {
    await Promise.all([openai.close(), anthropic.close(), google.close()]);
  }
}
