/** One thing wrong with the environment: which variable, what is wrong, what would be right. */
export interface ConfigProblem {
  variable: string;
  problem: string;
  expected: string;
}

/**
 * Thrown when configuration is invalid. The message lists every problem at
 * once so an operator fixes them in one pass; it never contains a value.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly service: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((p) => `  - ${p.variable}: ${p.problem}; expected ${p.expected}`);
    super(`Invalid configuration for ${service} (${count}):\n${lines.join('\n')}`);
  }
}
