import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CfnTemplate } from '../src/cloudformation-intrinsics';
import { checkParity } from '../src/parity-checks';
import { defaultParityPaths, readParityInputs, type ParityPaths } from '../src/parity-files';
import type { ParityReport } from '../src/parity-model';
import { renderParityTable } from '../src/render-parity-table';
import { synthesizeEcsTemplate } from '../src/synthesize-ecs-template';

const root = resolve(__dirname, '..', '..', '..');
const realPaths = defaultParityPaths(root);
let ecs: CfnTemplate;
let scratch: string;

beforeAll(() => {
  ecs = synthesizeEcsTemplate(root);
  scratch = mkdtempSync(join(tmpdir(), 'parity-spec-'));
}, 240_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of a real file with one deliberate change; the change must apply. */
function brokenCopy(path: string, from: string | RegExp, to: string): string {
  const text = readFileSync(path, 'utf8');
  const broken = text.replace(from, to);
  if (broken === text) throw new Error(`the deliberate change did not apply to ${path}`);
  const copy = join(scratch, `${Math.random().toString(36).slice(2)}-${path.split('/').pop()}`);
  writeFileSync(copy, broken);
  return copy;
}

function report(paths: Partial<ParityPaths> = {}, template: CfnTemplate = ecs): ParityReport {
  return checkParity(readParityInputs({ ...realPaths, ...paths }, template));
}

function failedChecks(result: ParityReport): string[] {
  return result.rows.filter((row) => !row.ok).map((row) => row.check);
}

/** The synthesized template with one container changed. */
function ecsWith(containerName: string, change: (container: Record<string, unknown>) => void) {
  const copy = JSON.parse(JSON.stringify(ecs)) as CfnTemplate;
  for (const resource of Object.values(copy.Resources ?? {})) {
    const definitions = resource.Properties?.['ContainerDefinitions'] as
      Record<string, unknown>[] | undefined;
    for (const definition of definitions ?? []) {
      if (definition['Name'] === containerName) change(definition);
    }
  }
  return copy;
}

describe('parity on the real files', () => {
  it('finds compose, ECS, CloudFormation, libs/config and the Dockerfiles in agreement', () => {
    const result = report();
    expect(failedChecks(result)).toEqual([]);
    const table = renderParityTable(result);
    expect(table).toContain('0 mismatches');
    expect(table).toMatch(/chroma: data mount path\s+\/mnt\/efs\/chroma\s+\/mnt\/efs\/chroma/);
  });

  it('covers every catalogue secret of both services', () => {
    const checks = report().rows.map((row) => row.check);
    for (const name of ['mongodb', 'redis', 'jwt', 'service-token']) {
      expect(checks).toContain(`backend: secret docuthinker/${name}`);
    }
    for (const name of ['openai', 'anthropic', 'google', 'neo4j', 'chroma', 'jwt']) {
      expect(checks).toContain(`aiml-gateway: secret docuthinker/${name}`);
    }
  });
});

describe('parity on deliberately broken copies', () => {
  it('catches a wrong port in compose', () => {
    const compose = brokenCopy(realPaths.compose, "PORT: '5000'", "PORT: '5001'");
    expect(failedChecks(report({ compose }))).toEqual([
      'backend: container port',
      'backend: environment values',
    ]);
  });

  it('catches a wrong port in the raw CloudFormation template', () => {
    const cloudformation = brokenCopy(
      realPaths.cloudformation,
      /(AIMLPort:\n\s+Type: Number\n\s+Default: )8000/,
      '$18080',
    );
    expect(failedChecks(report({ cloudformation }))).toEqual([
      'aiml-gateway: container port',
      'aiml-gateway: health-check command',
      'aiml-gateway: environment values',
    ]);
  });

  it('catches a secret missing from compose', () => {
    const compose = brokenCopy(realPaths.compose, /\n\s+REDIS_URL: \$\{REDIS_URL:\?[^}]*\}/, '');
    expect(failedChecks(report({ compose }))).toEqual(
      expect.arrayContaining(['backend: secret docuthinker/redis']),
    );
  });

  it('catches a secret missing from the ECS task definition', () => {
    const broken = ecsWith('aiml-gateway', (container) => {
      const secrets = container['Secrets'] as { Name: string }[];
      container['Secrets'] = secrets.filter((secret) => secret.Name !== 'DOCUTHINKER_NEO4J_URI');
    });
    expect(failedChecks(report({}, broken))).toEqual(
      expect.arrayContaining([
        'aiml-gateway: environment names',
        'aiml-gateway: secret docuthinker/neo4j',
      ]),
    );
  });

  it('catches a secret passed as plain environment', () => {
    const compose = brokenCopy(
      realPaths.compose,
      /MONGODB_URI: \$\{MONGODB_URI:\?[^}]*\}/,
      'MONGODB_URI: mongodb://mongo:27017/docuthinker',
    );
    expect(failedChecks(report({ compose }))).toEqual([
      'backend: secret docuthinker/mongodb',
      'backend: catalogue secrets as plain env',
    ]);
  });

  // Found in review: names agreed while values did not, and nothing loaded
  // libs/config with what compose gives the containers.
  it('catches a compose service run in another mode or with an index switched off', () => {
    const development = brokenCopy(
      realPaths.compose,
      /(backend:[\s\S]*?)NODE_ENV: production/,
      '$1NODE_ENV: development',
    );
    expect(failedChecks(report({ compose: development }))).toEqual(['backend: environment values']);
    const noVectors = brokenCopy(
      realPaths.compose,
      "DOCUTHINKER_SYNC_VECTOR: 'true'",
      "DOCUTHINKER_SYNC_VECTOR: 'false'",
    );
    expect(failedChecks(report({ compose: noVectors }))).toEqual([
      'aiml-gateway: environment values',
    ]);
  });

  it('catches an ECS value the other artifacts do not share', () => {
    const broken = ecsWith('backend', (container) => {
      const environment = container['Environment'] as { Name: string; Value: unknown }[];
      for (const variable of environment) {
        if (variable.Name === 'DOCUTHINKER_DRAIN_TIMEOUT_MS') variable.Value = '60000';
      }
    });
    const result = report({}, broken);
    expect(failedChecks(result)).toEqual(['backend: environment values']);
    expect(result.rows.find((row) => !row.ok)?.detail).toContain(
      'compose: DOCUTHINKER_DRAIN_TIMEOUT_MS=25000 (ECS 60000)',
    );
  });

  it('catches an .env.example the services would refuse to start with', () => {
    const shortSecret = brokenCopy(
      realPaths.envExample,
      /DOCUTHINKER_JWT_SECRET=.*/,
      'DOCUTHINKER_JWT_SECRET=too-short',
    );
    const refused = report({ envExample: shortSecret });
    expect(failedChecks(refused)).toEqual([
      "backend: libs/config loads compose's environment",
      "aiml-gateway: libs/config loads compose's environment",
    ]);
    expect(renderParityTable(refused)).toContain('refused: DOCUTHINKER_JWT_SECRET');
    const wrongScheme = brokenCopy(realPaths.envExample, 'REDIS_URL=redis://', 'REDIS_URL=http://');
    expect(failedChecks(report({ envExample: wrongScheme }))).toEqual([
      "backend: libs/config loads compose's environment",
      "aiml-gateway: libs/config loads compose's environment",
    ]);
  });

  it('catches a store compose leaves unset, which would run on an embedded default', () => {
    const compose = brokenCopy(realPaths.compose, /\n\s+REDIS_URL: \$\{REDIS_URL:\?[^}]*\}/, '');
    const result = report({ compose });
    expect(failedChecks(result)).toContain("backend: libs/config loads compose's environment");
    expect(renderParityTable(result)).toContain('embedded: REDIS_URL');
  });

  // Found in review: the hardening compose promises ("the hardening of the
  // ECS containers") and the health checks' commands and timing were not compared.
  it("catches compose dropping the containers' hardening", () => {
    const writable = brokenCopy(realPaths.compose, 'read_only: true', 'read_only: false');
    expect(failedChecks(report({ compose: writable }))).toEqual([
      'backend: read-only root',
      'aiml-gateway: read-only root',
    ]);
    const root = brokenCopy(realPaths.compose, "user: '1000:1000'", "user: '0:0'");
    expect(failedChecks(report({ compose: root }))).toEqual([
      'backend: user',
      'aiml-gateway: user',
    ]);
    const hurried = brokenCopy(
      realPaths.compose,
      'stop_grace_period: 30s',
      'stop_grace_period: 2s',
    );
    expect(failedChecks(report({ compose: hurried }))).toEqual([
      'backend: stop timeout',
      'aiml-gateway: stop timeout',
    ]);
  });

  it('catches ECS running a service as root, on a writable root or with another grace', () => {
    const broken = ecsWith('backend', (container) => {
      container['User'] = '0:0';
      container['ReadonlyRootFilesystem'] = false;
      container['StopTimeout'] = 5;
    });
    expect(failedChecks(report({}, broken))).toEqual([
      'backend: user',
      'backend: read-only root',
      'backend: stop timeout',
    ]);
  });

  it('catches a health check that runs another command or on another schedule', () => {
    // Neither image has curl: the container would never become healthy.
    const curl = brokenCopy(
      realPaths.compose,
      /- node\n(\s+)- -e\n\s+- "[^"]*'http:\/\/127\.0\.0\.1:5000\/health'[^"]*"/,
      '- curl\n$1- -fs\n$1- http://127.0.0.1:5000/health',
    );
    expect(failedChecks(report({ compose: curl }))).toEqual(['backend: health-check command']);
    const slow = ecsWith('aiml-gateway', (container) => {
      (container['HealthCheck'] as Record<string, unknown>)['Interval'] = 300;
    });
    expect(failedChecks(report({}, slow))).toEqual(['aiml-gateway: health-check timing']);
    const retries = brokenCopy(realPaths.dockerfiles.backend, '--retries=3', '--retries=1');
    const dockerfiles = { ...realPaths.dockerfiles, backend: retries };
    expect(failedChecks(report({ dockerfiles }))).toEqual(['backend: health-check timing']);
  });

  it('catches an .env.example whose Neo4j passwords differ, without printing either', () => {
    const envExample = brokenCopy(
      realPaths.envExample,
      /^NEO4J_PASSWORD=.*$/m,
      'NEO4J_PASSWORD=another-one-42',
    );
    const result = report({ envExample });
    expect(failedChecks(result)).toEqual(["neo4j: the gateway's password (.env.example)"]);
    expect(renderParityTable(result)).not.toContain('another-one-42');
  });

  // Found in review: the FastAPI sidecar was never compared (the synth had none).
  it('catches a FastAPI container compose runs otherwise than the ECS sidecar', () => {
    const port = brokenCopy(
      realPaths.compose,
      /(aiml-upstream:[\s\S]*?)PORT: '8001'/,
      "$1PORT: '8002'",
    );
    expect(failedChecks(report({ compose: port }))).toEqual([
      'aiml-upstream: container port',
      'aiml-upstream: environment',
    ]);
    const writable = ecsWith('aiml-upstream', (container) => {
      container['ReadonlyRootFilesystem'] = false;
    });
    expect(failedChecks(report({}, writable))).toEqual(['aiml-upstream: read-only root']);
  });

  it('catches a wrong health path in a Dockerfile', () => {
    const backend = brokenCopy(realPaths.dockerfiles.backend, '5000/health', '5000/healthz');
    const dockerfiles = { ...realPaths.dockerfiles, backend };
    expect(failedChecks(report({ dockerfiles }))).toEqual([
      'backend: health path',
      'backend: health-check command',
    ]);
  });

  it('catches a wrong health path in the ECS health check', () => {
    const broken = ecsWith('aiml-gateway', (container) => {
      const healthCheck = container['HealthCheck'] as { Command: string[] };
      healthCheck.Command = healthCheck.Command.map((part) => part.replace('/health', '/ready'));
    });
    expect(failedChecks(report({}, broken))).toEqual([
      'aiml-gateway: health path',
      'aiml-gateway: health-check command',
    ]);
  });

  it('catches a wrong Chroma mount path', () => {
    const compose = brokenCopy(
      realPaths.compose,
      'chroma-data:/mnt/efs/chroma',
      'chroma-data:/chroma',
    );
    expect(failedChecks(report({ compose }))).toEqual(['chroma: data mount path']);
  });

  it('catches a Chroma container whose root is writable in one of them', () => {
    const compose = brokenCopy(
      realPaths.compose,
      /(ANONYMIZED_TELEMETRY: 'FALSE'[\s\S]*?)read_only: true/,
      '$1read_only: false',
    );
    expect(failedChecks(report({ compose }))).toEqual(['chroma: read-only root']);
  });

  it('catches a variable the service does not read', () => {
    const compose = brokenCopy(
      realPaths.compose,
      "PORT: '8000'",
      "PORT: '8000'\n      AIML_PORT: '8000'",
    );
    expect(failedChecks(report({ compose }))).toEqual([
      'aiml-gateway: environment names',
      'aiml-gateway: names the service reads',
    ]);
  });

  it("compares the CORS origins' presence, not the value each deployment chooses", () => {
    const chosen = brokenCopy(
      realPaths.compose,
      /DOCUTHINKER_CORS_ORIGINS: \$\{DOCUTHINKER_CORS_ORIGINS:-\}/g,
      'DOCUTHINKER_CORS_ORIGINS: http://localhost:3000',
    );
    expect(failedChecks(report({ compose: chosen }))).toEqual([]);
    const dropped = brokenCopy(
      realPaths.compose,
      /\n *DOCUTHINKER_CORS_ORIGINS: \$\{DOCUTHINKER_CORS_ORIGINS:-\}/,
      '',
    );
    expect(failedChecks(report({ compose: dropped }))).toEqual(['backend: environment names']);
  });

  it('catches a declared difference that no longer holds', () => {
    const compose = brokenCopy(
      realPaths.compose,
      "DOCUTHINKER_ALLOW_EMBEDDED: 'true'",
      "DOCUTHINKER_ALLOW_EMBEDDED: 'true'\n      DOCUTHINKER_DOCUMENTS_BUCKET: local",
    );
    const result = report({ compose });
    expect(failedChecks(result)).toEqual(['backend: environment names']);
    expect(renderParityTable(result)).toContain('+DOCUTHINKER_DOCUMENTS_BUCKET');
  });

  it('exits non-zero from the command line on a mismatch', () => {
    const template = join(scratch, 'broken-ecs.json');
    writeFileSync(
      template,
      JSON.stringify(
        ecsWith('backend', (container) => {
          container['PortMappings'] = [{ ContainerPort: 5050, Protocol: 'tcp' }];
        }),
      ),
    );
    const run = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', 'tools/parity/src/main.ts', '--ecs-template', template],
      {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, SWC_NODE_PROJECT: 'tsconfig.base.json' },
      },
    );
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/backend: container port .*MISMATCH/);
  }, 60_000);
});
