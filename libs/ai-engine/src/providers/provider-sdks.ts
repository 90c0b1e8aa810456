/**
 * The three provider SDKs as one module, loaded by sdk-modules.ts when the
 * engine runs from its sources (tests). The gateway's build has the same
 * module as an entry point of its own (apps/aiml-gateway/src/provider-sdks.ts).
 */
export * as anthropic from '@anthropic-ai/sdk';
export * as google from '@google/genai';
export * as openai from 'openai';
