import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  backendFields,
  loadBackendConfig,
  loadConfigWithSecrets,
  silenceSdkNodeNotice,
} from '@docuthinker/config';
import { exitWithFailure, loadConfigOrExit } from '@docuthinker/runtime';
import { createStores, EMBEDDED_DATABASE_FILE } from '@docuthinker/stores';
import { reindexDocuments, type ReindexScope } from './reindex/reindex-documents';

const USAGE = 'usage: reindex (--all | --email <address> | --user-id <id>)';

const HELP = `${USAGE}

Queues an index job for every document of one user (by e-mail or id), or of
everyone, in the store the backend uses (MONGODB_URI, or the embedded store
in DOCUTHINKER_DATA_DIR); the backend's outbox worker sends them to the
gateway. Reads the backend's environment and secrets. Prints one JSON line:
{"queued": <documents>}.
`;

/** The scope asked for, or undefined when help was asked for. */
function scopeFromArguments(args: string[]): ReindexScope | undefined {
  const { values } = parseArgs({
    args,
    options: {
      all: { type: 'boolean' },
      email: { type: 'string' },
      'user-id': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const chosen = [values.all, values.email, values['user-id']].filter(Boolean).length;
  if (chosen !== 1) throw new Error(USAGE);
  if (values.all) return { all: true };
  if (values.email) return { email: values.email };
  return { userId: values['user-id'] as string };
}

/**
 * The re-index command: queues index jobs for one user's documents or for
 * everyone's, in the store the backend uses; the backend's outbox worker
 * sends them to the gateway. Prints one JSON line with how many were queued.
 */
async function main(): Promise<void> {
  silenceSdkNodeNotice(); // as in the services (see startServiceContext)
  const scope = scopeFromArguments(process.argv.slice(2));
  if (!scope) {
    process.stdout.write(HELP);
    return;
  }
  const config = await loadConfigOrExit(() =>
    loadConfigWithSecrets('backend', process.env, loadBackendConfig),
  );
  // Found in an exploratory test: a mistyped data directory was created
  // empty and "re-indexed" with {"queued":0}, exit 0.
  const embeddedStore = join(config.dataDir, EMBEDDED_DATABASE_FILE);
  if (!config.mongodbUri && !existsSync(embeddedStore)) {
    throw new Error(
      `no embedded store at ${embeddedStore}: point DOCUTHINKER_DATA_DIR at the backend's data directory (or set MONGODB_URI); nothing was queued`,
    );
  }
  const stores = await createStores(config);
  try {
    const outcome = await reindexDocuments(stores, scope);
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } finally {
    await stores.close();
  }
}

main().catch((error: unknown) =>
  exitWithFailure('reindex failed', error, { fields: backendFields }),
);
