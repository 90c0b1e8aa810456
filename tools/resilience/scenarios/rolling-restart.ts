import { listAllDocuments, register, registerMany, uploadJson } from '../api-client';
import { describeLoad, startLoad } from '../load-generator';
import { attemptsLogOffset, requestsDroppedAfterSending } from '../nginx-balancer';
import type { Platform } from '../platform';
import { AcknowledgedWrites, everydayOperations } from '../platform-load';
import { Expectations, type ScenarioResult } from '../scenario-result';
import type { SuiteOptions } from '../suite-options';
import { sleep } from '../waiting';

/**
 * A deploy under load: SIGTERM one backend behind nginx, start it again,
 * then the other. Draining must finish what is in flight and nginx must
 * find the other backend for everything else: zero failed requests.
 */
export async function rollingRestart(
  platform: Platform,
  options: SuiteOptions,
): Promise<ScenarioResult> {
  const expect = new Expectations();
  const attemptsFrom = attemptsLogOffset(platform.workDir);
  const owner = await register(platform.url, 'rolling');
  const seeded = await uploadJson(platform.url, owner.token, 7000);
  const logins = await registerMany(platform.url, 'login', options.concurrency);
  const uploads = new AcknowledgedWrites();
  const load = startLoad(
    everydayOperations(
      () => platform.url,
      owner,
      (seeded.body as { id: string }).id,
      logins,
      uploads,
    ),
    { concurrency: options.concurrency },
  );
  await sleep(options.loadPhaseMs);
  const steps: string[] = [];
  for (const index of [0, 1]) {
    const started = Date.now();
    const exitCode = await platform.backends[index]?.stop('SIGTERM');
    const drainedMs = Date.now() - started;
    expect.check(exitCode === 0, `backend ${index + 1} exited ${exitCode} after SIGTERM`);
    await platform.startBackend(index);
    steps.push(
      `backend ${index + 1} drained in ${drainedMs} ms (exit ${exitCode}), back in ${Date.now() - started - drainedMs} ms`,
    );
    await sleep(options.loadPhaseMs);
  }
  const report = await load.stop();
  // nginx retries a dropped GET on the other backend, where the ALB answers 502.
  const dropped = requestsDroppedAfterSending(platform.workDir, attemptsFrom);
  expect.check(
    dropped.length === 0,
    `${dropped.length} request(s) a backend received and dropped (nginx retried them), first: ${dropped[0] ?? ''}`,
  );
  const present = (await listAllDocuments(platform.url, owner.token)).map((item) => item.id);
  return {
    scenario: 'rolling restart of both backends behind nginx under load',
    expected:
      'zero failed requests and none dropped by a backend (even where nginx retried it); each backend exits 0 after draining; every acknowledged upload present',
    observed: [
      describeLoad(report),
      `${uploads.ids.size} uploads acknowledged`,
      `${dropped.length} requests dropped after reaching a backend`,
      ...steps,
    ].join('; '),
    requestsFailed: report.failed,
    dataLost: uploads.missingFrom(present),
    problems: expect.problems,
  };
}
