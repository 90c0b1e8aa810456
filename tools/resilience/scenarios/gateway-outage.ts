import { randomBytes } from 'node:crypto';
import {
  call,
  listAllDocuments,
  problemCode,
  register,
  uploadJson,
  type Account,
  type ApiAnswer,
} from '../api-client';
import type { Platform } from '../platform';
import { Expectations, type ScenarioResult } from '../scenario-result';
import type { SuiteOptions } from '../suite-options';
import { seconds, timeUntil } from '../waiting';

/** What issue 3 promises for an AI route while the gateway is down. */
const AI_ANSWER_BUDGET_MS = 1000;

/** Jobs the shared outbox still holds, from the backend's own gauge. */
async function outboxBacklog(platform: Platform): Promise<number> {
  const answer = await call(platform.backendUrl(0), 'GET', '/metrics');
  let total = 0;
  for (const match of String(answer.body).matchAll(
    /^docuthinker_outbox_pending_jobs\{[^}]*\} (\d+)/gm,
  )) {
    total += Number(match[1]);
  }
  return total;
}

function aiCalls(
  baseUrl: string,
  account: Account,
  documentId: string,
): [string, () => Promise<ApiAnswer>][] {
  // Fresh text each time: a cached AI answer would (rightly) be served without the gateway.
  const fresh = () => `Resilience probe ${randomBytes(6).toString('hex')}. The gateway is down.`;
  const { token } = account;
  return [
    [
      'document summary',
      () => call(baseUrl, 'POST', `/api/documents/${documentId}/ai/summary`, { token, json: {} }),
    ],
    [
      'text key-ideas',
      () => call(baseUrl, 'POST', '/api/ai/key-ideas', { token, json: { text: fresh() } }),
    ],
    [
      'chat',
      () =>
        call(baseUrl, 'POST', `/api/documents/${documentId}/chat`, {
          token,
          json: { message: fresh() },
        }),
    ],
    ['ask', () => call(baseUrl, 'POST', '/api/ask', { token, json: { question: fresh() } })],
  ];
}

/**
 * kill -9 the gateway: AI routes answer 503 problem+json with Retry-After
 * well under a second (circuit breaker, no hang), uploads are still saved;
 * after a restart the outbox backlog drains and every document is indexed.
 */
export async function gatewayOutage(
  platform: Platform,
  options: SuiteOptions,
): Promise<ScenarioResult> {
  const expect = new Expectations();
  const owner = await register(platform.url, 'gateway');
  const first = await uploadJson(platform.url, owner.token, 5000);
  const documentId = (first.body as { id: string }).id;

  await platform.gateway.stop('SIGKILL');

  let aiAnswers = 0;
  let aiWrong = 0;
  let slowest = 0;
  const wrong: string[] = [];
  const rounds = options.short ? 3 : 6;
  for (let round = 0; round < rounds; round += 1) {
    for (const [name, send] of aiCalls(platform.url, owner, documentId)) {
      const answer = await send();
      aiAnswers += 1;
      slowest = Math.max(slowest, answer.ms);
      const ok =
        answer.status === 503 &&
        problemCode(answer) === 'DT_ERR_AI_UNAVAILABLE' &&
        Number(answer.headers.get('retry-after')) > 0 &&
        answer.ms < AI_ANSWER_BUDGET_MS;
      if (!ok) {
        aiWrong += 1;
        wrong.push(
          `${name}: ${answer.status} ${problemCode(answer) ?? ''} in ${Math.round(answer.ms)} ms`,
        );
      }
    }
  }
  expect.check(aiWrong === 0, `AI routes: ${wrong.slice(0, 4).join('; ')}`);

  const semantic = await call(platform.url, 'GET', '/api/documents/search?q=report&mode=semantic', {
    token: owner.token,
  });
  expect.check(
    semantic.status === 200 && (semantic.body as { degraded?: boolean }).degraded === true,
    `semantic search without the gateway: ${semantic.status}, expected 200 degraded to content search`,
  );

  const uploads: ApiAnswer[] = [];
  for (let serial = 0; serial < options.uploadsDuringOutage; serial += 1) {
    uploads.push(await uploadJson(platform.url, owner.token, 5001 + serial));
  }
  const saved = uploads.filter(
    (answer) =>
      answer.status === 201 && (answer.body as { indexStatus?: string }).indexStatus === 'pending',
  );
  expect.check(
    saved.length === uploads.length,
    `${uploads.length - saved.length} uploads not 201 pending`,
  );
  const backlog = await outboxBacklog(platform);
  expect.check(backlog > 0, 'the outbox held no jobs while the gateway was down');

  await platform.startGateway();
  const drainedAfter = await timeUntil(async () => (await outboxBacklog(platform)) === 0, {
    timeoutMs: options.catchUpTimeoutMs,
    intervalMs: 500,
  });
  expect.check(
    drainedAfter !== undefined,
    `outbox not drained within ${seconds(options.catchUpTimeoutMs)}`,
  );
  const acknowledged = new Set([
    documentId,
    ...saved.map((answer) => (answer.body as { id: string }).id),
  ]);
  const indexed = new Set(
    (await listAllDocuments(platform.url, owner.token))
      .filter((item) => item.indexStatus === 'indexed')
      .map((item) => item.id),
  );
  const notIndexed = [...acknowledged].filter((id) => !indexed.has(id)).length;
  expect.check(notIndexed === 0, `${notIndexed} documents not indexed after the drain`);
  const stored = new Set(
    (await listAllDocuments(platform.url, owner.token)).map((item) => item.id),
  );
  const lost = [...acknowledged].filter((id) => !stored.has(id)).length;

  return {
    scenario: 'kill -9 the gateway, then restart it',
    expected:
      'AI routes 503 DT_ERR_AI_UNAVAILABLE with Retry-After in < 1 s; semantic search degrades to content; uploads 201 pending; after restart the outbox drains and every document is indexed',
    observed: [
      `${aiAnswers - aiWrong}/${aiAnswers} AI calls 503 with Retry-After, slowest ${Math.round(slowest)} ms`,
      `semantic search ${semantic.status}${(semantic.body as { degraded?: boolean }).degraded ? ' degraded' : ''}`,
      `${saved.length}/${uploads.length} uploads 201 pending`,
      `backlog of ${backlog} jobs drained ${seconds(drainedAfter)} after restart`,
      `${acknowledged.size - notIndexed}/${acknowledged.size} indexed`,
    ].join('; '),
    requestsFailed: aiWrong + (uploads.length - saved.length),
    dataLost: lost,
    problems: expect.problems,
  };
}
