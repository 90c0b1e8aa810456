import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CfnTemplate } from './cloudformation-intrinsics';

/**
 * Synthesizes the prod stage by running libs/infra's CDK app (the program
 * `nx synth infra` hands to the CDK CLI) with the cloud-assembly environment
 * the CLI would set, and returns the template that holds the ECS task
 * definitions. CDK's template validator is skipped: cfn-lint covers it in
 * libs/infra's tests, and it triples the time.
 */
export function synthesizeEcsTemplate(workspaceRoot: string, stage = 'prod'): CfnTemplate {
  const outdir = mkdtempSync(join(tmpdir(), 'parity-synth-'));
  try {
    const result = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', join('libs', 'infra', 'src', 'bin', 'app.ts')],
      {
        cwd: workspaceRoot,
        encoding: 'utf8',
        env: {
          ...process.env,
          SWC_NODE_PROJECT: 'tsconfig.base.json',
          CDK_OUTDIR: outdir,
          CDK_CONTEXT_JSON: JSON.stringify({
            stage,
            synthOnly: 'true',
            // Compose and the raw template offer every provider key: compare like with like.
            aiProviders: 'openai,anthropic,google',
            // Compose runs the FastAPI container beside the gateway (profile
            // fastapi): the ECS sidecar is synthesized too, to compare them.
            aimlUpstreamImage: 'docuthinker-aiml-upstream:parity',
            // Compose and the raw template always pass the CORS origins (blank
            // by default); ECS passes them when a deployment gives some.
            corsOrigins: 'https://app.example.com',
            'aws:cdk:disable-stack-trace': true,
          }),
          CDK_VALIDATION: 'false',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      },
    );
    if (result.status !== 0) {
      throw new Error(
        `synthesizing libs/infra (${stage}) failed:\n${result.stderr || result.stdout}`,
      );
    }
    for (const file of readdirSync(outdir).filter((name) => name.endsWith('.template.json'))) {
      const template = JSON.parse(readFileSync(join(outdir, file), 'utf8')) as CfnTemplate;
      const resources = Object.values(template.Resources ?? {});
      if (resources.some((resource) => resource.Type === 'AWS::ECS::TaskDefinition')) {
        return template;
      }
    }
    throw new Error(`synthesizing libs/infra (${stage}) produced no ECS task definitions`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
