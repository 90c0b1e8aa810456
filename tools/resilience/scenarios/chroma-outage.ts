import {
  call,
  listAllDocuments,
  problemCode,
  register,
  uploadJson,
  type ApiAnswer,
} from '../api-client';
import { documentsInChroma } from '../chroma-inspection';
import type { Platform } from '../platform';
import { Expectations, type ScenarioResult } from '../scenario-result';
import type { SuiteOptions } from '../suite-options';
import { seconds, timeUntil } from '../waiting';

/** Uploads `count` documents, `concurrency` at a time, calling `onProgress` after each. */
async function uploadMany(
  baseUrl: string,
  token: string,
  count: number,
  concurrency: number,
  onProgress: (done: number) => Promise<void>,
): Promise<(ApiAnswer | Error)[]> {
  const answers: (ApiAnswer | Error)[] = [];
  let next = 0;
  async function worker(): Promise<void> {
    while (next < count) {
      const serial = (next += 1);
      answers.push(await uploadJson(baseUrl, token, 1000 + serial).catch((error: Error) => error));
      await onProgress(answers.length);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

/**
 * kill -9 Chroma while documents are uploaded: uploads keep answering 201
 * `pending` (the outbox holds the index jobs); once Chroma is back every
 * document reaches `indexed`, and Chroma itself holds chunks of each one.
 */
export async function chromaOutage(
  platform: Platform,
  options: SuiteOptions,
): Promise<ScenarioResult> {
  const expect = new Expectations();
  const owner = await register(platform.url, 'chroma');
  const total = options.uploadsDuringOutage;
  let crashed: Promise<void> | undefined;
  const answers = await uploadMany(
    platform.url,
    owner.token,
    total,
    Math.min(4, options.concurrency),
    async (done) => {
      // A quarter in, Chroma dies; the rest are uploaded while it is gone.
      if (done >= Math.ceil(total / 4)) crashed ??= platform.crashChroma();
      await crashed;
    },
  );
  const created = answers.filter(
    (answer): answer is ApiAnswer => !(answer instanceof Error) && answer.status === 201,
  );
  const failed = answers.length - created.length;
  const firstFailure = answers.find((answer) => answer instanceof Error || answer.status !== 201);
  expect.check(
    failed === 0,
    `${failed} uploads failed, first: ${
      firstFailure instanceof Error
        ? firstFailure.message
        : `HTTP ${firstFailure?.status} ${firstFailure && problemCode(firstFailure)}`
    }`,
  );
  const notPending = created.filter(
    (answer) => (answer.body as { indexStatus?: string }).indexStatus !== 'pending',
  ).length;
  expect.check(notPending === 0, `${notPending} uploads answered 201 without indexStatus pending`);
  const acknowledged = new Set(created.map((answer) => (answer.body as { id: string }).id));

  // What the outbox meets meanwhile: the gateway must call it an outage (retry later), not a bug.
  const direct = await call(platform.gatewayUrl, 'POST', '/ai/v1/index', {
    token: platform.serviceToken,
    json: { ownerId: owner.id, documentId: 'probe', title: 'Probe', text: 'A probe sentence.' },
  });
  expect.check(
    direct.status === 503 && Number(direct.headers.get('retry-after')) > 0,
    `gateway index without Chroma: ${direct.status} ${problemCode(direct) ?? ''} Retry-After ${direct.headers.get('retry-after')}`,
  );

  const restartedAt = Date.now();
  await platform.restartChroma();
  const restartMs = Date.now() - restartedAt;
  let statuses: Record<string, number> = {};
  const indexedAfter = await timeUntil(
    async () => {
      const items = await listAllDocuments(platform.url, owner.token);
      statuses = {};
      for (const item of items) statuses[item.indexStatus] = (statuses[item.indexStatus] ?? 0) + 1;
      return items.length === acknowledged.size && statuses['indexed'] === acknowledged.size;
    },
    { timeoutMs: options.catchUpTimeoutMs, intervalMs: 500 },
  );
  expect.check(
    indexedAfter !== undefined,
    `not every document indexed within ${seconds(options.catchUpTimeoutMs)}: ${JSON.stringify(statuses)}`,
  );
  const inChroma = await documentsInChroma(platform.chroma.url, owner.id);
  const lost = [...acknowledged].filter((id) => !inChroma.has(id)).length;
  return {
    scenario: 'kill -9 Chroma while documents are uploaded, then restart it',
    expected:
      'every upload 201 with indexStatus pending; gateway 503 with Retry-After meanwhile; after restart every document indexed and present in Chroma',
    observed: [
      `${created.length}/${total} uploads 201 (${created.length - notPending} pending)`,
      `gateway meanwhile ${direct.status} ${problemCode(direct) ?? ''} (Retry-After ${direct.headers.get('retry-after')} s)`,
      `Chroma back in ${seconds(restartMs)}`,
      `all ${acknowledged.size} indexed ${seconds(indexedAfter)} after restart`,
      `${inChroma.size} documents with chunks in Chroma`,
    ].join('; '),
    requestsFailed: failed,
    dataLost: lost,
    problems: expect.problems,
  };
}
