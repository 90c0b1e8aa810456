/**
 * The provider SDKs, as an entry point of the gateway's build: it becomes
 * provider-sdks.js beside main.js, which libs/ai-engine's sdk-modules.ts
 * loads the first time a provider client is built (the same exports as
 * libs/ai-engine/src/providers/provider-sdks.ts, which the sources load).
 * Kept out of main.js, their code is not compiled at every start.
 */
export * as anthropic from '@anthropic-ai/sdk';
export * as google from '@google/genai';
export * as openai from 'openai';
