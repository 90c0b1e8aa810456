import { ConfigError } from '@docuthinker/config';

/**
 * Runs a config loader; on invalid configuration prints the full problem
 * list to stderr and exits 1, so a bad deploy fails fast and says why.
 */
export async function loadConfigOrExit<T>(load: () => T | Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof ConfigError || (error as Error).name === 'SecretsLoadError') {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
