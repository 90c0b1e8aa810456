// `nx run tools:resilience [--short]`: the fault suite of issue 8. Starts the
// platform as real processes (Redis, Chroma, gateway, two backends, nginx),
// breaks it one way per scenario, writes docs/resilience.md's "Faults"
// section and exits 1 when any scenario did not hold.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Platform } from './platform';
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
  const platform = await Platform.start(workDir);
  try {
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
    }
  } finally {
    await platform.stop();
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
        `${mode} mode, ${totalSeconds} s in all. Load: ${options.concurrency} concurrent fetch loops; ` +
          `two backends share one embedded libSQL store and one Redis behind nginx (Debian), gateway on a real Chroma.`,
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
