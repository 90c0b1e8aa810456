// `nx run tools:resilience [--short]`: the fault suite of issue 8. Starts the
// platform as real processes (Redis, Chroma, gateway, two backends, nginx),
// breaks it one way per scenario, writes docs/resilience.md's "Faults"
// section and exits 1 when any scenario did not hold.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REQUEST_TIMEOUT_MS } from './api-client';
import { Platform, snapshotBuiltServices } from './platform';
import { passed, type ScenarioResult } from './scenario-result';
import { chromaOutage } from './scenarios/chroma-outage';
import { crashConsistency } from './scenarios/crash-consistency';
import { gatewayOutage } from './scenarios/gateway-outage';
import { redisOutage } from './scenarios/redis-outage';
import { rollingRestart } from './scenarios/rolling-restart';
import { suiteOptions, type SuiteOptions } from './suite-options';

type Scenario = (platform: Platform, options: SuiteOptions) => Promise<ScenarioResult>;

const SCENARIOS: readonly [string, Scenario][] = [
  ['redis', redisOutage],
  ['chroma', chromaOutage],
  ['gateway', gatewayOutage],
  ['rolling', rollingRestart],
  ['crash', crashConsistency],
];

async function main(): Promise<number> {
  const options = suiteOptions(process.argv.slice(2), process.env);
  // Restart helpers register an exit hook per process they start.
  process.setMaxListeners(50);
  const workDir = mkdtempSync(join(tmpdir(), 'dt-resilience-'));
  const started = Date.now();
  const results: ScenarioResult[] = [];
  const servicesRoot = snapshotBuiltServices();
  let platform: Platform | undefined;
  try {
    platform = await Platform.start(workDir, servicesRoot);
    for (const [name, scenario] of SCENARIOS) {
      if (options.only && !options.only.includes(name)) continue;
      const scenarioStarted = Date.now();
      const result = await scenario(platform, options).catch((error: Error): ScenarioResult => ({
        scenario: name,
        expected: 'the scenario runs to the end',
        observed: `aborted: ${error.message}`,
        requestsFailed: 0,
        dataLost: 0,
        problems: [error.message],
      }));
      results.push(result);
      const verdict = passed(result) ? 'PASS' : 'FAIL';
      process.stdout.write(
        `${verdict} ${result.scenario} (${((Date.now() - scenarioStarted) / 1000).toFixed(1)} s)\n  ${result.observed}\n`,
      );
      for (const problem of result.problems) process.stdout.write(`  ! ${problem}\n`);
      const restarted = await platform.heal();
      if (restarted.length) process.stdout.write(`  (restarted ${restarted.join(', ')})\n`);
    }
  } finally {
    await platform?.stop();
    rmSync(servicesRoot, { recursive: true, force: true });
  }
  const totalSeconds = ((Date.now() - started) / 1000).toFixed(0);
  const mode = options.short ? 'short' : 'full';
  // The report writer is an ES module shared with the other suites.
  const { recordResilience } = await import('./resilience-report.mjs');
  // A partial run (--only) must not replace the full table.
  if (!options.only)
    recordResilience({
      suite: mode === 'short' ? 'Faults (short)' : 'Faults',
      command: `npx nx run tools:resilience${mode === 'short' ? ' --args=--short' : ''}`,
      rows: [...results],
      notes: [
        `${mode} mode, ${totalSeconds} s in all; load is ${options.concurrency} concurrent fetch loops, each answer checked against what the scenario expects (no answer within ${REQUEST_TIMEOUT_MS / 1000} s counts as a failure).`,
        '',
        'Topology: Debian nginx (the ALB stand-in: keep-alive to its targets, moving a request to the other target only when the connect is refused) in front of two backends; ' +
          'one aiml-gateway on a real Chroma server (npm chromadb) and its embedded libSQL graph; one redis-server. ' +
          'The two backends share state the way two ECS tasks share MongoDB, S3 and ElastiCache: the same Redis, and the same ' +
          'embedded libSQL file and files directory. SQLite WAL locking makes one file safe for several processes on one machine ' +
          '(the outbox claim is a single UPDATE … RETURNING), so this is the embedded store under real multi-process load, not a stand-in.',
        '',
        'Rate limiting as documented (libs/runtime RedisRateLimiterFactory): with Redis, login attempts are counted once across replicas; ' +
          'while Redis is down each replica falls back to its own in-process counter with the same rule, so limits still hold, per replica.',
      ],
    });
  const failures = results.filter((result) => !passed(result));
  process.stdout.write(
    `${results.length - failures.length}/${results.length} scenarios held (${totalSeconds} s)\n`,
  );
  // A failed run keeps its data and logs for a look at what went wrong.
  if (failures.length === 0) rmSync(workDir, { recursive: true, force: true });
  else process.stdout.write(`data and nginx logs kept in ${workDir}\n`);
  return failures.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `resilience suite could not run: ${(error as Error).stack ?? String(error)}\n`,
    );
    process.exit(1);
  },
);
