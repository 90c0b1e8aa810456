import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServiceLogger } from '@docuthinker/runtime';
import { createStores, documentFileKey, type Stores } from '@docuthinker/stores';
import type { GatewayClient } from '../../src/gateway/gateway-client';
import { startOutboxWorker, type OutboxWorkerOptions } from '../../src/outbox/outbox-worker';
import { DocumentCache } from '../../src/services/document-cache';

/** A logger that writes nowhere: the outbox specs read the stores, not the log. */
export const silentLogger = createServiceLogger({
  service: 'backend',
  level: 'warn',
  secretValues: [],
  destination: { write: () => undefined },
});

/**
 * A gateway whose every call fails, with the calls a spec's jobs make
 * replaced: a job that calls anything else fails loudly.
 */
export function gatewayWith(calls: Partial<GatewayClient>): GatewayClient {
  const unused = () => Promise.reject(new Error('not a call this job makes'));
  return {
    runTask: unused,
    index: unused,
    search: unused,
    ask: unused,
    chat: unused,
    chatStream: unused,
    removeFromIndex: unused,
    removeOwnerFromIndex: unused,
    ...calls,
  };
}

/** Embedded stores in a directory of their own for each test, closed and removed after it; call the result for the current test's. */
export function useEmbeddedStores(prefix: string): () => Stores {
  let dataDir: string;
  let stores: Stores;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), prefix));
    stores = await createStores({ dataDir });
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return () => stores;
}

export const OWNER_ID = 'owner-1';
export const DOCUMENT_ID = 'doc-1';

/** A text document of OWNER_ID (DOCUMENT_ID unless `fields.id`) saved as an upload saves it, with its index job. */
export function createTestDocument(
  stores: Stores,
  fields: {
    /** DOCUMENT_ID unless given. */
    readonly id?: string;
    /** OWNER_ID unless given. */
    readonly ownerId?: string;
    readonly title?: string;
    readonly summary?: string;
    readonly summaryDegraded?: boolean;
  } = {},
) {
  const id = fields.id ?? DOCUMENT_ID;
  const ownerId = fields.ownerId ?? OWNER_ID;
  return stores.documents.create({
    id,
    ownerId,
    title: fields.title ?? 'A title',
    fileType: 'txt',
    size: 20,
    contentHash: 'c'.repeat(64),
    text: 'Quokkas live on Rottnest Island. They are small marsupials.',
    summary: fields.summary ?? 'Quokkas.',
    summaryDegraded: fields.summaryDegraded ?? false,
    fileKey: documentFileKey(ownerId, id, 'txt'),
  });
}

/**
 * Runs the outbox worker on `stores` with `gateway` until `done` holds
 * (asked every poll interval), then stops it, whatever happened.
 */
export async function runOutboxWorkerUntil(
  stores: Stores,
  gateway: GatewayClient,
  done: () => boolean | Promise<boolean>,
  options: OutboxWorkerOptions & { readonly pollIntervalMs: number },
): Promise<void> {
  const worker = startOutboxWorker(
    stores,
    gateway,
    new DocumentCache(stores.cache),
    silentLogger,
    options,
  );
  try {
    while (!(await done())) await sleep(options.pollIntervalMs);
  } finally {
    await worker.stop();
  }
}
