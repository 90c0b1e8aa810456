import * as z from 'zod';

/**
 * A token count from a provider's answer: a whole number from 0, or unknown.
 * OpenAI-compatible services send null for counts they do not keep, and a
 * proxy can send anything; a count outside the contract (-5, 1.5) made the
 * backend refuse the gateway's whole answer as off-contract and count it
 * against the gateway's circuit, so it is dropped here instead.
 */
export const tokenCount = z.number().int().min(0).nullish().catch(null);
