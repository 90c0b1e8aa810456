import * as z from 'zod';
import type { TokenUsage } from './ai-provider';

/**
 * A token count from a provider's answer: a whole number from 0, or unknown.
 * OpenAI-compatible services send null for counts they do not keep, and a
 * proxy can send anything; a count outside the contract (-5, 1.5) made the
 * backend refuse the gateway's whole answer as off-contract and count it
 * against the gateway's circuit, so it is dropped here instead.
 */
export const tokenCount = z.number().int().min(0).nullish().catch(null);

/**
 * The counts a provider gave, or undefined when it gave none: an answer
 * without counts said `"usage": {}` to the caller, as if it had counted nothing.
 */
export function tokenUsage(
  inputTokens: number | null | undefined,
  outputTokens: number | null | undefined,
): TokenUsage | undefined {
  const usage = {
    ...(inputTokens == null ? {} : { inputTokens }),
    ...(outputTokens == null ? {} : { outputTokens }),
  };
  return Object.keys(usage).length === 0 ? undefined : usage;
}
