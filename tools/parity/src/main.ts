import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkParity } from './parity-checks';
import { defaultParityPaths, readParityInputs } from './parity-files';
import { renderParityTable } from './render-parity-table';
import { synthesizeEcsTemplate } from './synthesize-ecs-template';

/**
 * `nx run tools:parity`: compose, the synthesized ECS task definitions, the
 * raw CloudFormation template, libs/config and the Dockerfiles must agree.
 * Prints the table; exits 1 on any mismatch.
 *   --ecs-template <file>  use an existing template (e.g. libs/infra/cdk.out/prod/…)
 *                          instead of synthesizing the prod stage
 */
function main(): void {
  const { values } = parseArgs({ options: { 'ecs-template': { type: 'string' } } });
  const root = resolve(__dirname, '..', '..', '..');
  const ecs = values['ecs-template']
    ? resolve(values['ecs-template'])
    : synthesizeEcsTemplate(root);
  const report = checkParity(readParityInputs(defaultParityPaths(root), ecs));
  console.log(renderParityTable(report));
  process.exitCode = report.rows.every((row) => row.ok) ? 0 : 1;
}

main();
