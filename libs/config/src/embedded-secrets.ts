import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedSecrets {
  jwtSecret: string;
  serviceToken: string;
}

const FILE_NAME = 'embedded-secrets.json';

/**
 * Secrets the platform can make for itself when it runs on embedded defaults.
 * They are kept in the data directory (mode 0600) so that the backend and the
 * gateway started side by side agree on them, and tokens survive a restart.
 * The first process to start creates the file; `wx` makes that race-free.
 */
export function readOrCreateEmbeddedSecrets(dataDir: string): EmbeddedSecrets {
  const file = join(dataDir, FILE_NAME);
  mkdirSync(dataDir, { recursive: true });
  const fresh: EmbeddedSecrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    serviceToken: randomBytes(32).toString('base64url'),
  };
  try {
    writeFileSync(file, JSON.stringify(fresh), { flag: 'wx', mode: 0o600 });
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<EmbeddedSecrets>;
  if (typeof stored.jwtSecret !== 'string' || typeof stored.serviceToken !== 'string') {
    throw new Error(`${file} is not a valid embedded secrets file; delete it to regenerate`);
  }
  return { jwtSecret: stored.jwtSecret, serviceToken: stored.serviceToken };
}
