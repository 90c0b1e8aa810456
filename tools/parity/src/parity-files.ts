import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { CfnTemplate } from './cloudformation-intrinsics';
import { readConfigExpectations } from './config-expectations';
import type { ParityInputs } from './parity-checks';
import type { WebService } from './parity-model';
import { readCompose } from './read-compose';
import { readDockerfile } from './read-dockerfile';
import { readEnvExample } from './read-env-example';

/** Where each artifact lives; tests point these at deliberately broken copies. */
export interface ParityPaths {
  readonly compose: string;
  readonly envExample: string;
  readonly cloudformation: string;
  readonly dockerfiles: Readonly<Record<WebService, string>>;
}

export function defaultParityPaths(workspaceRoot: string): ParityPaths {
  return {
    compose: join(workspaceRoot, 'docker', 'docker-compose.yml'),
    envExample: join(workspaceRoot, 'docker', '.env.example'),
    cloudformation: join(workspaceRoot, 'libs', 'infra', 'cloudformation', 'fargate-service.yaml'),
    dockerfiles: {
      backend: join(workspaceRoot, 'docker', 'backend.Dockerfile'),
      'aiml-gateway': join(workspaceRoot, 'docker', 'aiml-gateway.Dockerfile'),
    },
  };
}

function readTemplate(path: string): CfnTemplate {
  const text = readFileSync(path, 'utf8');
  return (path.endsWith('.json') ? JSON.parse(text) : parse(text)) as CfnTemplate;
}

/** Reads every artifact; the ECS template comes from a synth or a file. */
export function readParityInputs(paths: ParityPaths, ecs: CfnTemplate | string): ParityInputs {
  const read = (path: string) => readFileSync(path, 'utf8');
  return {
    compose: readCompose(read(paths.compose)),
    envExample: readEnvExample(read(paths.envExample)),
    ecs: typeof ecs === 'string' ? readTemplate(ecs) : ecs,
    cloudformation: readTemplate(paths.cloudformation),
    dockerfiles: {
      backend: readDockerfile('backend', read(paths.dockerfiles.backend)),
      'aiml-gateway': readDockerfile('aiml-gateway', read(paths.dockerfiles['aiml-gateway'])),
    },
    config: readConfigExpectations(),
  };
}
