// Drives one running service with generated requests in batches and judges
// every answer. Between batches it checks that the process still answers
// /health and samples its resident memory, so a crash, a hang or a leak is
// caught near the batch that caused it.
import fc from 'fast-check';
import { requestArbitrary } from './request-arbitraries.mjs';
import { jsonOf, rawRequest } from './raw-request.mjs';

/** 5xx answers that are the documented answer to a valid request, by code. */
const DOCUMENTED_5XX = new Set(['DT_ERR_TASK_UNSUPPORTED']);

/** Bodies this large may be cut off by the server after it answered 413. */
const LARGE_BODY_BYTES = 1024 * 1024;

const bodyBytes = (body) =>
  body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : Buffer.byteLength(body);

function describe(request) {
  const body = request.body === undefined ? '' : String(request.body).slice(0, 300);
  return `${request.method} ${request.path.slice(0, 300)} ${JSON.stringify({ ...request.headers, authorization: request.headers.authorization ? '<redacted>' : undefined })} ${body}`;
}

/** Why an answer fails the suite, or null when it passes. */
function judge(request, answer) {
  if (answer.refusedLocally) return null;
  if (answer.status === 0) {
    if (bodyBytes(request.body) > LARGE_BODY_BYTES) return null;
    return `no answer: ${answer.error}`;
  }
  if (answer.status >= 500) {
    const code = jsonOf(answer)?.code;
    if (answer.status === 501 && DOCUMENTED_5XX.has(code)) return null;
    return `${answer.status} ${code ?? answer.body?.toString('utf8').slice(0, 200)}`;
  }
  return null;
}

/**
 * Every 4xx must be problem+json with a stable code: the services answer
 * what Node's HTTP parser refuses in problem+json too (their clientError
 * handlers), so no bare answer is exempt.
 */
function isProblemJson(request, answer) {
  if (answer.status < 400 || answer.status >= 500 || request.method === 'HEAD') return true;
  return (
    String(answer.headers?.['content-type']).startsWith('application/problem+json') &&
    typeof jsonOf(answer)?.code === 'string'
  );
}

async function runConcurrently(items, concurrency, worker) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        await worker(items[index]);
      }
    }),
  );
}

/**
 * @param {{
 *   service: { name: string, url: string, rss(): number|null, healthy(): Promise<boolean>, exitCode(): any },
 *   operations: any[],
 *   total: number, batchSize: number, concurrency: number, seed: number,
 *   contextFor: () => Promise<{ authorization: any, pools: Record<string, string[]> }>,
 *   prepare?: (request: any) => Promise<any>,
 * }} options
 */
export async function fuzzService(options) {
  const { service, operations, total, batchSize, concurrency, seed } = options;
  const stats = {
    sent: 0,
    byClass: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, none: 0 },
    documented5xx: 0,
    refusedLocally: 0,
    failures: [],
    notProblemJson: [],
    healthFailures: 0,
    rss: [],
    routesHit: new Set(),
    /** Routes at least one request got a 2xx from (reported, not required: random bodies rarely log in). */
    routesAnswered2xx: new Set(),
  };
  const started = Date.now();
  for (let batch = 0; stats.sent < total; batch += 1) {
    const context = await options.contextFor();
    const perRequest = fc.oneof(
      ...operations.map((operation) => requestArbitrary(operation, context)),
    );
    const size = Math.min(batchSize, total - stats.sent);
    const requests = fc.sample(perRequest, { numRuns: size, seed: seed + batch });
    await runConcurrently(requests, concurrency, async (generated) => {
      const request = options.prepare ? await options.prepare(generated) : generated;
      const answer = await rawRequest(service.url, request);
      stats.sent += 1;
      // A route is exercised by a request that reached it: sent with its own
      // method (the generator swaps some) and answered by something other
      // than the service's "no such route".
      if (
        request.operation.split(' ')[0].toUpperCase() === request.method.toUpperCase() &&
        answer.status > 0 &&
        jsonOf(answer)?.code !== 'DT_ERR_ROUTE_NOT_FOUND'
      ) {
        stats.routesHit.add(request.operation);
        if (answer.status < 300) stats.routesAnswered2xx.add(request.operation);
      }
      if (answer.refusedLocally) stats.refusedLocally += 1;
      else if (answer.status === 0) stats.byClass.none += 1;
      else stats.byClass[`${String(answer.status)[0]}xx`] += 1;
      if (answer.status === 501) stats.documented5xx += judge(request, answer) ? 0 : 1;
      const failure = judge(request, answer);
      if (failure) stats.failures.push(`${failure} ← ${describe(request)}`);
      if (!isProblemJson(request, answer)) {
        stats.notProblemJson.push(
          `${answer.status} ${answer.headers?.['content-type']} ← ${describe(request)}`,
        );
      }
    });
    if (!(await service.healthy())) {
      stats.healthFailures += 1;
      stats.failures.push(`/health failed after batch ${batch}`);
      if (service.exitCode()) break;
    }
    stats.rss.push(service.rss() ?? 0);
  }
  stats.seconds = (Date.now() - started) / 1000;
  return stats;
}
