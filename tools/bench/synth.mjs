#!/usr/bin/env node
// Cold `nx synth infra` for every stage (no Nx cache, a fresh CDK process each,
// cdk-nag and CDK's template validation on, as a pipeline runs it), next to
// the CDK CLI synthesizing a one-resource app measured in the same run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordResult, root } from './bench-support.mjs';

const STAGES = ['dev', 'staging', 'prod', 'dr'];
const env = {
  ...process.env,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_TUI: 'false',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
};

function timed(command, args, options = {}) {
  const started = performance.now();
  const result = spawnSync(command, args, { cwd: root, env, encoding: 'utf8', ...options });
  if (result.status !== 0)
    throw new Error(`${args.join(' ')} failed:\n${result.stderr}${result.stdout}`);
  return (performance.now() - started) / 1000;
}

const anchorOutput = mkdtempSync(join(tmpdir(), 'bench-cdk-'));
let anchor;
try {
  anchor = timed(
    process.execPath,
    [
      join(root, 'node_modules/aws-cdk/bin/cdk'),
      'synth',
      '--quiet',
      '--no-notices',
      '--app',
      'node -r @swc-node/register tools/bench/anchors/minimal-cdk-app.ts',
      '--output',
      anchorOutput,
    ],
    { env: { ...env, SWC_NODE_PROJECT: 'tsconfig.base.json' } },
  );
} finally {
  rmSync(anchorOutput, { recursive: true, force: true });
}

const rows = STAGES.map((stage) => ({
  stage,
  seconds: timed(process.execPath, [
    join(root, 'node_modules/nx/dist/bin/nx.js'),
    'synth',
    'infra',
    `--configuration=${stage}`,
    '--skip-nx-cache',
    '--output-style=static',
  ]),
}));
const total = rows.reduce((sum, row) => sum + row.seconds, 0);
const table = [
  '| Subject | Wall time | Ratio to anchor |',
  '| --- | --- | --- |',
  `| one-resource CDK app via the CDK CLI (anchor) | ${anchor.toFixed(1)} s | 1.00× |`,
  ...rows.map(
    (row) =>
      `| nx synth infra --configuration=${row.stage} | ${row.seconds.toFixed(1)} s | ${(row.seconds / anchor).toFixed(2)}× |`,
  ),
  `| all four stages | ${total.toFixed(1)} s | ${(total / anchor).toFixed(2)}× |`,
];
console.log(table.join('\n'));
recordResult({
  title: 'Cold synth of every stage',
  command: 'npx nx run tools:bench-synth',
  table,
  notes: ['No target is set by issue 5; recorded so a regression shows.'],
});
