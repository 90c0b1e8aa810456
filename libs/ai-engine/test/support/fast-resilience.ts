import type { ResiliencePolicy } from '../../src/providers/provider-chain';
import { corpusText } from './corpus';

/** Timeouts generous enough for a loaded CI machine, short enough for a quick suite. */
export const FAST: Partial<ResiliencePolicy> = {
  timeoutMs: 1000,
  retries: 1,
  initialBackoffMs: 10,
  maxBackoffMs: 20,
  breakerThreshold: 3,
  halfOpenAfterMs: 60000,
};

/** A task input every provider test can summarise. */
export const input = { text: corpusText('bsd'), title: 'BSD licence' };
