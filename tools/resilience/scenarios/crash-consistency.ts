import { join } from 'node:path';
import Database from 'libsql';
import { listAllDocuments, register, uploadJson, type Account } from '../api-client';
import { describeLoad, startLoad, type LoadOperation } from '../load-generator';
import type { Platform } from '../platform';
import { AcknowledgedWrites } from '../platform-load';
import { Expectations, type ScenarioResult } from '../scenario-result';
import type { SuiteOptions } from '../suite-options';
import { seconds, sleep, timeUntil } from '../waiting';

/** The embedded files the two services write (libs/stores, libs/ai-engine). */
const BACKEND_DATABASE = 'docuthinker.db';
const GATEWAY_GRAPH_DATABASE = join('graph', 'graph.db');

/** SQLite's own verdict on the file: "ok", or what is broken. */
function integrityOf(file: string): string {
  const db = new Database(file);
  try {
    const rows = db.prepare('PRAGMA integrity_check').all() as Record<string, unknown>[];
    const foreignKeys = db.prepare('PRAGMA foreign_key_check').all();
    const verdict = rows.map((row) => String(Object.values(row)[0])).join(', ');
    return foreignKeys.length
      ? `${verdict}; ${foreignKeys.length} foreign key violations`
      : verdict;
  } finally {
    db.close();
  }
}

function userIdsIn(file: string, ids: readonly string[]): Set<string> {
  const db = new Database(file);
  try {
    const select = db.prepare('SELECT id FROM users WHERE id = ?');
    return new Set(ids.filter((id) => select.get(id) !== undefined));
  } finally {
    db.close();
  }
}

/**
 * kill -9 a backend while it writes documents and accounts to the embedded
 * store (and the gateway while it writes its embedded graph): after a
 * restart SQLite finds no corruption and every write that was acknowledged
 * with a 2xx is there; the outbox finishes indexing what was cut off.
 */
export async function crashConsistency(
  platform: Platform,
  options: SuiteOptions,
): Promise<ScenarioResult> {
  const expect = new Expectations();
  const owner = await register(platform.url, 'crash');
  const target = platform.backendUrl(0);
  const uploads = new AcknowledgedWrites();
  const accounts: Account[] = [];
  const operations: LoadOperation[] = [
    {
      name: 'upload',
      send: (serial) => uploadJson(target, owner.token, 9000 + serial),
      accept: (answer) => answer.status === 201,
      onAccepted: (answer) => uploads.add(answer),
    },
    {
      name: 'register',
      send: async (serial) => {
        // Straight to the crashing backend, unlike `register`'s front door.
        const account = await register(target, `crash-${serial}`).catch((error: Error) => error);
        if (account instanceof Error) throw account;
        accounts.push(account);
        return { status: 201, headers: new Headers(), body: undefined, ms: 0 };
      },
      accept: () => true,
    },
  ];
  const loadStarted = performance.now();
  const load = startLoad(operations, { concurrency: options.concurrency });
  await sleep(options.loadPhaseMs / 2);
  const killedAtMs = performance.now() - loadStarted;
  await Promise.all([platform.backends[0]?.stop('SIGKILL'), platform.gateway.stop('SIGKILL')]);
  const report = await load.stop();
  // Requests cut off by the kill were never acknowledged: they are the crash, not a failure.
  // Anything that went wrong before it, or that was not a broken connection, is.
  const failedBeforeCrash = report.failures.filter(
    (failure) => failure.atMs < killedAtMs || !failure.what.startsWith('TypeError'),
  ).length;
  expect.check(
    uploads.ids.size > 0 && accounts.length > 0,
    `too few writes acknowledged before the kill to show anything (${uploads.ids.size} uploads, ${accounts.length} accounts)`,
  );

  await platform.startBackend(0);
  await platform.startGateway();
  const backendIntegrity = integrityOf(join(platform.backendDataDir, BACKEND_DATABASE));
  const graphIntegrity = integrityOf(join(platform.gatewayDataDir, GATEWAY_GRAPH_DATABASE));
  expect.check(backendIntegrity === 'ok', `backend store integrity: ${backendIntegrity}`);
  expect.check(graphIntegrity === 'ok', `gateway graph integrity: ${graphIntegrity}`);

  const present = (await listAllDocuments(platform.url, owner.token)).map((item) => item.id);
  const lostDocuments = uploads.missingFrom(present);
  const accountIds = accounts.map((account) => account.id);
  const lostAccounts =
    accountIds.length - userIdsIn(join(platform.backendDataDir, BACKEND_DATABASE), accountIds).size;
  const indexedAfter = await timeUntil(
    async () =>
      (await listAllDocuments(platform.url, owner.token)).every(
        (item) => item.indexStatus === 'indexed',
      ),
    { timeoutMs: options.catchUpTimeoutMs, intervalMs: 500 },
  );
  expect.check(
    indexedAfter !== undefined,
    'documents written before the crash were not all indexed afterwards',
  );

  return {
    scenario: 'kill -9 a backend and the gateway during writes on the embedded store',
    expected:
      'PRAGMA integrity_check ok on the backend store and the gateway graph; every 2xx upload and registration present; outbox indexes the rest',
    observed: [
      `${report.requests} writes sent, ${uploads.ids.size} uploads and ${accounts.length} registrations acknowledged before the kill`,
      `integrity: backend ${backendIntegrity}, graph ${graphIntegrity}`,
      `${uploads.ids.size - lostDocuments}/${uploads.ids.size} documents and ${accounts.length - lostAccounts}/${accounts.length} accounts present after restart`,
      `all indexed ${seconds(indexedAfter)} after restart`,
      failedBeforeCrash ? describeLoad(report) : 'no write failed before the kill',
    ].join('; '),
    requestsFailed: failedBeforeCrash,
    dataLost: lostDocuments + lostAccounts,
    problems: expect.problems,
  };
}
