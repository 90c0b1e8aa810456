import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
 * The first process to start creates the file: written whole under a name of
 * its own, then linked into place, which fails for every process but one.
 * (Created in place with `wx`, it could be read by another process between
 * its creation and its write, which then failed on empty JSON under
 * `npm start`'s first run; found in review.)
 */
export function readOrCreateEmbeddedSecrets(dataDir: string): EmbeddedSecrets {
  const file = join(dataDir, FILE_NAME);
  mkdirSync(dataDir, { recursive: true });
  const fresh: EmbeddedSecrets = {
    jwtSecret: randomBytes(32).toString('base64url'),
    serviceToken: randomBytes(32).toString('base64url'),
  };
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}`;
  writeFileSync(draft, JSON.stringify(fresh), { flag: 'wx', mode: 0o600 });
  try {
    linkSync(draft, file);
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(draft, { force: true });
  }
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<EmbeddedSecrets>;
  if (typeof stored.jwtSecret !== 'string' || typeof stored.serviceToken !== 'string') {
    throw new Error(`${file} is not a valid embedded secrets file; delete it to regenerate`);
  }
  return { jwtSecret: stored.jwtSecret, serviceToken: stored.serviceToken };
}
