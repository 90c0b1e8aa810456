import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { installFakeCommands } from './support/fake-commands';
import { commandIndex, pathWithout, runStep, scratchDir } from './support/run-step';
import { stepNames, WORKSPACE_ROOT } from './support/workspace-files';

const TAG = '3f2c1ab';
const JUNIT_REPORTER = '/tools/ci/reporters/junit-reporter.cjs';

let stateDir: string;
beforeEach(() => {
  stateDir = scratchDir('state');
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

function dryRun(step: string, env: Record<string, string> = {}, args: string[] = []) {
  const run = runStep([step, '--dry-run', ...args], {
    IMAGE_TAG: TAG,
    STAGE: 'staging',
    CI_STATE_DIR: stateDir,
    ...env,
  });
  if (run.status !== 0) throw new Error(`${step} --dry-run exited ${run.status}:\n${run.stderr}`);
  return run;
}

describe('every step', () => {
  it.each(stepNames())('%s prints its usage with --help and refuses unknown options', (step) => {
    const help = runStep([step, '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`usage: tools/ci/run-step ${step}`);
    const unknown = runStep([step, '--no-such-option'], { STAGE: 'staging', IMAGE_TAG: TAG });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown argument: --no-such-option');
  });

  it('run-step lists the steps and refuses one that does not exist', () => {
    const missing = runStep(['deploy-everything']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no step "deploy-everything"');
    for (const step of stepNames()) expect(missing.stderr).toContain(`  ${step}\n`);
  });

  it.each(['diff', 'deploy', 'wait-stable', 'smoke', 'rollback'])(
    '%s refuses to guess the stage',
    (step) => {
      const noStage = runStep([step, '--dry-run'], { IMAGE_TAG: TAG, CI_STATE_DIR: stateDir });
      expect(noStage.status).toBe(1);
      expect(noStage.stderr).toContain('STAGE is not set');
      const badStage = runStep([step, '--dry-run'], { STAGE: 'qa', IMAGE_TAG: TAG });
      expect(badStage.stderr).toContain('STAGE "qa" is not one of dev staging prod dr');
    },
  );
});

describe('--dry-run prints the exact commands', () => {
  it('install: npm ci from the lockfile, running no install scripts', () => {
    expect(dryRun('install').commands).toEqual(['npm ci --ignore-scripts --no-audit --no-fund']);
  });

  it("install: refuses an agent whose Node is not the images' release (.nvmrc), unless told to go on", () => {
    const shipped = readFileSync(join(WORKSPACE_ROOT, '.nvmrc'), 'utf8').trim();
    const fakeBin = join(stateDir, 'bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'node'), '#!/bin/sh\necho "v$FAKE_NODE_VERSION"\n', {
      mode: 0o755,
    });
    const withNode = (version: string, allow: string) =>
      runStep(['install', '--dry-run'], {
        PATH: `${fakeBin}${delimiter}${process.env.PATH ?? ''}`,
        FAKE_NODE_VERSION: version,
        DOCUTHINKER_ALLOW_OTHER_NODE: allow,
      });

    const older = withNode('20.20.2', '');
    expect(older.status).toBe(1);
    expect(older.stderr).toContain(
      `this machine runs Node 20.20.2; the images ship Node ${shipped} (.nvmrc)`,
    );
    expect(older.commands).toEqual([]);

    const allowed = withNode('20.20.2', 'true');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('install: warning: this machine runs Node 20.20.2');
    expect(allowed.commands).toEqual(['npm ci --ignore-scripts --no-audit --no-fund']);

    // Another patch or minor release of the same major is the agent's to pick.
    const sameMajor = withNode(`${shipped.split('.')[0]}.0.0`, '');
    expect(sameMajor.status).toBe(0);
    expect(sameMajor.commands).toEqual(['npm ci --ignore-scripts --no-audit --no-fund']);
  });

  it('install: a corpus directory that is named but missing is an error, not a test failure later', () => {
    const run = runStep(['install', '--dry-run'], {
      DOCUTHINKER_CORPUS_DIR: join(stateDir, 'none'),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`DOCUTHINKER_CORPUS_DIR=${join(stateDir, 'none')} does not exist`);
  });

  it('install: an earlier clone of the shared folder is brought up to date', () => {
    const shared = join(stateDir, 'workspace@tmp', 'shared');
    mkdirSync(join(shared, 'corpus'), { recursive: true });
    mkdirSync(join(shared, '.git'));
    const run = dryRun('install', {
      DOCUTHINKER_CORPUS_DIR: join(shared, 'corpus'),
      DOCUTHINKER_SHARED_REPOSITORY: 'https://git.example.com/docuthinker/shared.git',
    });
    expect(run.commands).toEqual([
      'npm ci --ignore-scripts --no-audit --no-fund',
      `git -C ${shared} pull --quiet --ff-only`,
    ]);
  });

  it('install: clones only into the parent of a directory named corpus', () => {
    const run = runStep(['install', '--dry-run'], {
      DOCUTHINKER_CORPUS_DIR: join(stateDir, 'texts'),
      DOCUTHINKER_SHARED_REPOSITORY: 'https://git.example.com/docuthinker/shared.git',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `DOCUTHINKER_CORPUS_DIR=${join(stateDir, 'texts')} does not exist`,
    );
    expect(run.commands).not.toContainEqual(expect.stringContaining('git clone'));
  });

  it('install: a missing corpus is cloned where the suites look for it, a named directory too', () => {
    const repository = 'https://git.example.com/docuthinker/shared.git';
    const named = dryRun('install', {
      DOCUTHINKER_CORPUS_DIR: join(stateDir, 'workspace@tmp', 'shared', 'corpus'),
      DOCUTHINKER_SHARED_REPOSITORY: repository,
    });
    expect(named.commands).toEqual([
      'npm ci --ignore-scripts --no-audit --no-fund',
      `git clone --quiet --depth 1 ${repository} ${join(stateDir, 'workspace@tmp', 'shared')}`,
    ]);
  });

  it('verify: nx affected between the pipeline base and head, tests with a JUnit report', () => {
    const { commands } = dryRun('verify', { NX_BASE: 'HEAD', NX_HEAD: 'head222' });
    expect(commands).toHaveLength(3);
    expect(commands[0]).toBe(
      'npx nx affected --base=HEAD --head=head222 --output-style=static -t lint typecheck build',
    );
    // Formatting of the whole tree: nx's own default compares with a base.
    expect(commands[1]).toBe('npx nx format:check --all');
    expect(commands[2]).toMatch(
      /^npx nx affected --base=HEAD --head=head222 --output-style=static -t test -- --ci --reporters=default --reporters=\S+$/,
    );
    expect(commands[2]).toContain(JUNIT_REPORTER);
  });

  it('verify: a parallel branch runs only its targets', () => {
    const lint = dryRun('verify', { NX_BASE: 'HEAD', NX_HEAD: 'h' }, [
      '--targets',
      'lint,typecheck',
    ]);
    expect(lint.commands).toEqual([
      'npx nx affected --base=HEAD --head=h --output-style=static -t lint typecheck',
      'npx nx format:check --all',
    ]);
    expect(
      dryRun('verify', { NX_BASE: 'HEAD', NX_HEAD: 'h' }, ['--targets', 'typecheck']).commands,
    ).toEqual(['npx nx affected --base=HEAD --head=h --output-style=static -t typecheck']);
    const unknown = runStep(['verify', '--dry-run', '--targets', 'lint,deploy']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown target "deploy"');
  });

  it('verify: checks every project when the base is not in the clone', () => {
    const { stdout, commands } = dryRun('verify', { NX_BASE: 'f'.repeat(40) }, [
      '--targets',
      'lint,test',
    ]);
    expect(stdout).toContain('is not a commit in this clone: running every project');
    expect(commands[0]).toBe('npx nx run-many --output-style=static -t lint');
    expect(commands[2]).toMatch(/^npx nx run-many --output-style=static -t test -- --ci /);
  });

  it('verify: checks every project when the base is the head itself (nx affected would select none)', () => {
    const { stdout, commands } = dryRun('verify', { NX_BASE: 'HEAD', NX_HEAD: 'HEAD' }, [
      '--targets',
      'lint',
    ]);
    expect(stdout).toContain('NX_BASE HEAD is the head itself: running every project');
    expect(commands[0]).toBe('npx nx run-many --output-style=static -t lint');
  });

  it('verify: says so when the pipeline gave no base', () => {
    const { stdout, commands } = dryRun('verify', {}, ['--targets', 'lint']);
    expect(stdout).toContain('NX_BASE is not set: comparing against main');
    // A clone without a local main branch checks every project instead.
    expect(commands[0]).toMatch(
      /^npx nx (affected --base=main --head=HEAD|run-many) --output-style=static -t lint$/,
    );
  });

  it('verify: stops before anything runs when the tests would find no redis-server or moto_server', () => {
    // A PATH holding only what run-step needs to reach the check, and the given fakes.
    const pathWith = (...fakes: string[]) => {
      const bin = join(stateDir, `bin-${fakes.join('-') || 'none'}`);
      mkdirSync(bin);
      for (const command of ['bash', 'dirname', 'basename']) {
        const real = execFileSync('bash', ['-c', `command -v ${command}`], { encoding: 'utf8' });
        symlinkSync(real.trim(), join(bin, command));
      }
      for (const fake of fakes) writeFileSync(join(bin, fake), '#!/bin/sh\n', { mode: 0o755 });
      return bin;
    };
    const none = runStep(['verify', '--targets', 'build,test'], { PATH: pathWith() });
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('not on PATH: redis-server moto_server');
    expect(none.commands).toEqual([]);
    const noMoto = runStep(['verify'], { PATH: pathWith('redis-server') });
    expect(noMoto.status).toBe(1);
    expect(noMoto.stderr).toMatch(/the test suites need .*; not on PATH: moto_server$/m);
    expect(noMoto.commands).toEqual([]);
    // A dry run says so and goes on; without tests nothing is required.
    const dry = runStep(['verify', '--dry-run', '--targets', 'test'], { PATH: pathWith('x') });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toContain('moto_server (a real run stops here)');
    const lint = runStep(['verify', '--dry-run', '--targets', 'lint'], { PATH: pathWith('y') });
    expect(lint.stdout + lint.stderr).not.toContain('redis-server');
  });

  it('integration: the testcontainers suites of each project, failing on a skip', () => {
    const { commands } = dryRun('integration');
    const stores = commands[commandIndex(commands, 'nx test stores')];
    expect(stores).toContain("'--testPathPatterns=(mongo-data-stores)\\.spec\\.ts$'");
    expect(stores).toMatch(
      /^env CI_JUNIT_PREFIX=integration- npx nx test stores .* \| tee reports\/integration\/stores\.log$/,
    );
    expect(commands[commandIndex(commands, 'nx test ai-engine')]).toContain(
      'neo4j-knowledge-graph',
    );
  });

  it('integration: builds the service images, then runs the compose topology with that tag', () => {
    const { commands } = dryRun('integration');
    const build = commandIndex(commands, '-t docker-build');
    const topology = commandIndex(commands, '-t integration');
    expect(commands[build]).toBe(
      `env IMAGE_TAG=${TAG} CONTAINER_ENGINE=docker EXTRA_BUILD_OPTIONS=--pull npx nx run-many -t docker-build --projects=backend,aiml-gateway --output-style=static`,
    );
    expect(topology).toBeGreaterThan(build);
    expect(commands[topology]).toMatch(
      new RegExp(
        `^env IMAGE_TAG=${TAG} CI_JUNIT_PREFIX=integration- npx nx run-many -t integration --output-style=static -- --ci .* \\| tee reports/integration/compose-topology\\.log$`,
      ),
    );
    expect(commands[topology]).toContain(JUNIT_REPORTER);
  });

  it('synth: every stage through nx (cdk-nag), then cfn-lint over all templates and the raw one', () => {
    const { commands } = dryRun('synth');
    expect(commands.slice(0, 4)).toEqual(
      ['dev', 'staging', 'prod', 'dr'].map(
        (stage) => `npx nx synth infra --configuration=${stage} --output-style=static`,
      ),
    );
    expect(commands[4]).toMatch(
      /^cfn-lint --non-zero-exit-code warning --ignore-checks W3005 W3010 -- /,
    );
    for (const stage of ['dev', 'staging', 'prod', 'dr']) {
      expect(commands[4]).toContain(`libs/infra/cdk.out/${stage}/*.template.json`);
    }
    expect(commands[4]).toMatch(/libs\/infra\/cloudformation\/fargate-service\.yaml$/);
  });

  it('build-images: the docker-build targets with the tag and a fresh base image, then checks each image exists', () => {
    expect(dryRun('build-images').commands).toEqual([
      `env IMAGE_TAG=${TAG} CONTAINER_ENGINE=docker EXTRA_BUILD_OPTIONS=--pull npx nx run-many -t docker-build --projects=backend,aiml-gateway --output-style=static`,
      `docker image inspect --format '{{.Id}}' docuthinker-backend:${TAG}`,
      `docker image inspect --format '{{.Id}}' docuthinker-ai-ml:${TAG}`,
    ]);
    expect(dryRun('build-images', {}, ['--project', 'aiml-gateway']).commands[0]).toContain(
      '--projects=aiml-gateway ',
    );
    expect(runStep(['build-images', '--dry-run', '--project', 'frontend']).status).toBe(2);
    // Options of the agent's own come after --pull.
    expect(dryRun('build-images', { EXTRA_BUILD_OPTIONS: '--network=host' }).commands[0]).toContain(
      `'EXTRA_BUILD_OPTIONS=--pull --network=host'`,
    );
  });

  it('scan-images: trivy fails the step on HIGH or CRITICAL findings in either image', () => {
    const fakes = installFakeCommands(stateDir);
    const { commands } = dryRun('scan-images', { PATH: fakes.path });
    expect(commands).toEqual(
      ['docuthinker-backend', 'docuthinker-ai-ml'].map(
        (repository) =>
          `trivy image --image-src docker --scanners vuln --severity HIGH,CRITICAL --exit-code 1 --no-progress ${repository}:${TAG}`,
      ),
    );
  });

  it('scan-images: without trivy, one visible SKIPPED line, or a failure when trivy is required', () => {
    const path = pathWithout('trivy');
    const skipped = dryRun('scan-images', { PATH: path });
    expect(skipped.commands).toEqual([]);
    expect(skipped.stdout).toMatch(
      /^SKIPPED \(trivy not installed\): images 3f2c1ab of backend aiml-gateway/m,
    );
    const required = runStep(['scan-images'], {
      PATH: path,
      IMAGE_TAG: TAG,
      REQUIRE_TRIVY: 'true',
    });
    expect(required.status).toBe(1);
    expect(required.stderr).toContain('REQUIRE_TRIVY=true');
  });

  it('save-images and load-images: one archive of both images, checked after loading', () => {
    expect(dryRun('save-images', { IMAGE_ARCHIVE: 'out/images.tar' }).commands).toEqual([
      'mkdir -p out',
      `docker save -o out/images.tar docuthinker-backend:${TAG} docuthinker-ai-ml:${TAG}`,
    ]);
    // By default where the step's state goes (dist/ci, the path deploy.yml uploads).
    expect(dryRun('load-images').commands).toEqual([
      `docker load -i ${join(stateDir, 'images.tar')}`,
      `docker image inspect --format '{{.Id}}' docuthinker-backend:${TAG}`,
      `docker image inspect --format '{{.Id}}' docuthinker-ai-ml:${TAG}`,
    ]);
    const missing = runStep(['load-images'], {
      IMAGE_TAG: TAG,
      IMAGE_ARCHIVE: join(stateDir, 'none.tar'),
      CONTAINER_ENGINE: 'docker',
    });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no image archive at');
  });

  it('push-images: ECR login, immutability check, then tag and push under the commit tag', () => {
    const { commands } = dryRun('push-images', { AWS_ACCOUNT_ID: '123456789012' });
    const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    expect(commands[0]).toBe(
      `aws ecr get-login-password --region us-east-1 | docker login --username AWS --password-stdin ${registry}`,
    );
    expect(commands).toContain(
      "aws ecr describe-repositories --region us-east-1 --repository-names docuthinker-backend --query 'repositories[0].imageTagMutability' --output text",
    );
    expect(commands).toContain(
      `aws ecr batch-get-image --region us-east-1 --repository-name docuthinker-ai-ml --image-ids imageTag=${TAG} --query 'images[0].imageId.imageDigest' --output text`,
    );
    const tagBackend = commandIndex(
      commands,
      `docker tag docuthinker-backend:${TAG} ${registry}/docuthinker-backend:${TAG}`,
    );
    expect(commands[tagBackend + 1]).toBe(`docker push ${registry}/docuthinker-backend:${TAG}`);
    expect(commands).toContain(`docker push ${registry}/docuthinker-ai-ml:${TAG}`);
  });

  it('push-images: asks STS for the account when the pipeline does not name it', () => {
    const { commands } = dryRun('push-images');
    expect(commands[0]).toBe('aws sts get-caller-identity --query Account --output text');
  });

  it('deploy: records the running tag first, then nx deploy with IMAGE_TAG', () => {
    const { commands } = dryRun('deploy');
    const readRunning = commandIndex(
      commands,
      'aws ecs describe-services --region us-east-1 --cluster docuthinker-cluster-staging --services backend-service',
    );
    const readImage = commandIndex(commands, 'aws ecs describe-task-definition --region us-east-1');
    const record = commandIndex(commands, `> ${stateDir}/staging/previous-image-tag`);
    const deploy = commandIndex(commands, 'nx deploy infra');
    expect(readRunning).toBeLessThan(readImage);
    expect(readImage).toBeLessThan(record);
    expect(record).toBeLessThan(deploy);
    expect(commands[readImage]).toContain(
      `--query "taskDefinition.containerDefinitions[?name=='backend'].image | [0]"`,
    );
    expect(commands).toContain(
      "aws ecs describe-services --region us-east-1 --cluster docuthinker-cluster-staging --services aiml-service --query 'services[0].taskDefinition' --output text",
    );
    expect(commands[deploy]).toBe(
      `env IMAGE_TAG=${TAG} npx nx deploy infra --configuration=staging --output-style=static -- --require-approval=never`,
    );
    expect(commands[deploy + 2]).toBe(
      `printf '%s\\n' ${TAG} > ${stateDir}/staging/deployed-image-tag`,
    );
  });

  it('diff: nx diff infra for the stage with the tag deploy will ship, kept for the approver', () => {
    const summary = join(stateDir, 'summary.md');
    const { commands, stdout } = dryRun('diff', { STAGE: 'prod', GITHUB_STEP_SUMMARY: summary });
    expect(commands).toEqual([
      'mkdir -p reports/diff',
      `env IMAGE_TAG=${TAG} NO_COLOR=1 npx nx diff infra --configuration=prod --output-style=static -- --no-change-set | tee reports/diff/prod.txt`,
    ]);
    expect(stdout).toContain(`appends reports/diff/prod.txt to the job summary, ${summary}`);
    expect(dryRun('diff', { STAGE: 'dr' }).stdout).not.toContain('job summary');
  });

  // Found in an exploratory test: both dry runs passed where the run stopped in its first second.
  it.each(['diff', 'deploy'])(
    '%s: a dry run checks the stage as the run does first, and stops where it would',
    (step) => {
      const unset = { DOCUTHINKER_PROD_DOMAIN_NAME: '', DOCUTHINKER_PROD_CERTIFICATE_ARN: '' };
      const refused = runStep([step, '--dry-run'], {
        STAGE: 'prod',
        IMAGE_TAG: TAG,
        CI_STATE_DIR: stateDir,
        ...unset,
      });
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(
        `${step} infra (prod): HTTPS is not configured - set DOCUTHINKER_PROD_DOMAIN_NAME`,
      );
      expect(refused.stderr).toContain(`${step}: ${step} to prod would stop at the check above`);
      expect(refused.commands).toEqual([]);
      expect(dryRun(step, { STAGE: 'prod' }).stdout).toContain(
        `${step} infra (prod): the stage's settings pass the checks for image tag ${TAG} (preflight only: no AWS call, no CDK)`,
      );
    },
  );

  it('rollback: a dry run checks the stage with a stand-in for the tag only a real run reads', () => {
    const env = { STAGE: 'prod', CI_STATE_DIR: stateDir };
    const refused = runStep(['rollback', '--dry-run'], {
      ...env,
      DOCUTHINKER_PROD_DOMAIN_NAME: '',
      DOCUTHINKER_PROD_CERTIFICATE_ARN: '',
    });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('deploy infra (prod): HTTPS is not configured');
    const passed = runStep(['rollback', '--dry-run'], env);
    expect(passed.status).toBe(0);
    expect(passed.stdout).toContain(
      "deploy infra (prod): the stage's settings pass the checks for image tag dry-run-stand-in",
    );
  });

  it('diff: shows a real run its output and appends it to the GitHub job summary', () => {
    const fakes = installFakeCommands(stateDir);
    const summary = join(stateDir, 'summary.md');
    const run = runStep(['diff'], {
      PATH: fakes.path,
      FAKE_LOG: fakes.log,
      STAGE: 'prod',
      IMAGE_TAG: TAG,
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(fakes.calls()).toEqual([
      `npx nx diff infra --configuration=prod --output-style=static -- --no-change-set IMAGE_TAG=${TAG}`,
    ]);
    expect(readFileSync(summary, 'utf8')).toContain(`### Infrastructure diff: ${TAG} to prod`);
  });

  it("deploy: prod and DR use the plain cluster name in each stage's region", () => {
    expect(dryRun('deploy', { STAGE: 'prod' }).commands[0]).toContain(
      '--region us-east-1 --cluster docuthinker-cluster ',
    );
    expect(dryRun('deploy', { STAGE: 'dr' }).commands[0]).toContain(
      '--region us-west-2 --cluster docuthinker-cluster ',
    );
  });

  it('wait-stable: the services-stable waiter over every service of the stage', () => {
    expect(dryRun('wait-stable').commands).toEqual([
      'aws ecs wait services-stable --region us-east-1 --cluster docuthinker-cluster-staging --services chroma-service aiml-service backend-service',
    ]);
  });

  it("smoke: /health, /ready then the gateway's /ai/ready through the load balancer, with the retry policy", () => {
    const { commands, stdout } = dryRun('smoke', {
      SMOKE_BASE_URL: 'https://api.docuthinker.example',
      SMOKE_DEADLINE_SECONDS: '120',
      SMOKE_INTERVAL_SECONDS: '5',
    });
    expect(commands).toEqual(
      ['/health', '/ready', '/ai/ready'].map(
        (path) =>
          `curl --silent --location --max-time 10 --output /dev/null --write-out '%{http_code}' https://api.docuthinker.example${path}`,
      ),
    );
    expect(stdout).toContain('retrying every 5s for up to 120s');
  });

  it('smoke: once every probe passed, tags both images deploy put on prod deployed-prod-<tag>', () => {
    mkdirSync(join(stateDir, 'prod'), { recursive: true });
    writeFileSync(join(stateDir, 'prod', 'deployed-image-tag'), `${TAG}\n`);
    const { commands } = dryRun('smoke', {
      STAGE: 'prod',
      SMOKE_BASE_URL: 'https://api.docuthinker.example',
    });
    const lastProbe = commands.findLastIndex((command) => command.startsWith('curl '));
    for (const repository of ['docuthinker-backend', 'docuthinker-ai-ml']) {
      const tagged = commandIndex(
        commands,
        `aws ecr put-image --region us-east-1 --repository-name ${repository} --image-tag deployed-prod-${TAG} `,
      );
      expect(tagged).toBeGreaterThan(lastProbe);
      expect(commands[tagged]).toContain(
        "--image-manifest '<manifest>' --image-manifest-media-type '<media type>'",
      );
      expect(commands).toContain(
        `aws ecr batch-get-image --region us-east-1 --repository-name ${repository} --image-ids imageTag=${TAG} --query 'images[0].imageManifest' --output text`,
      );
    }
    // DR runs its own region's replicas and must not need us-east-1: it tags nothing.
    mkdirSync(join(stateDir, 'dr'), { recursive: true });
    writeFileSync(join(stateDir, 'dr', 'deployed-image-tag'), `${TAG}\n`);
    const dr = dryRun('smoke', { STAGE: 'dr', SMOKE_BASE_URL: 'https://api.docuthinker.example' });
    expect(dr.commands.some((command) => command.includes('aws ecr'))).toBe(false);
  });

  it('smoke: without SMOKE_BASE_URL, the load balancer output deploy writes', () => {
    const { commands } = dryRun('smoke', { STAGE: 'dev' });
    expect(commands[0]).toContain(
      'http://<LoadBalancerDnsName of DocuThinker-dev-Platform from libs/infra/cdk.out/dev-outputs.json>/health',
    );
  });

  it("smoke: a stage with a domain is probed at https://<domain>, dialled at that stage's own load balancer", () => {
    const outputs = join(stateDir, 'dr-outputs.json');
    writeFileSync(
      outputs,
      JSON.stringify({
        'DocuThinker-dr-Platform': { LoadBalancerDnsName: 'dr-alb-1.us-west-2.elb.amazonaws.com' },
      }),
    );
    // docuthinker.example.com is the failover name prod answers while healthy: DNS must not decide.
    const { commands, stdout } = dryRun('smoke', {
      STAGE: 'dr',
      DOCUTHINKER_DR_DOMAIN_NAME: 'docuthinker.example.com',
      DOCUTHINKER_DOMAIN_NAME: 'staging.example.com',
      SMOKE_OUTPUTS_FILE: outputs,
    });
    expect(commands).toEqual(
      ['/health', '/ready', '/ai/ready'].map(
        (path) =>
          `curl --silent --location --max-time 10 --output /dev/null --write-out '%{http_code}' --connect-to docuthinker.example.com:443:dr-alb-1.us-west-2.elb.amazonaws.com:443 https://docuthinker.example.com${path}`,
      ),
    );
    expect(stdout).toContain(
      'expects 200 from https://docuthinker.example.com/health at dr-alb-1.us-west-2.elb.amazonaws.com',
    );
  });

  it('smoke: without an outputs file a dry run names where the load balancer comes from', () => {
    const { commands } = dryRun('smoke', {
      STAGE: 'prod',
      DOCUTHINKER_PROD_DOMAIN_NAME: 'docuthinker.example.com',
      DOCUTHINKER_DOMAIN_NAME: 'staging.example.com',
    });
    expect(commands[0]).toContain(
      "--connect-to 'docuthinker.example.com:443:<LoadBalancerDnsName of DocuThinker-prod-Platform from libs/infra/cdk.out/prod-outputs.json>:443' https://docuthinker.example.com/health",
    );
    expect(dryRun('smoke', { DOCUTHINKER_DOMAIN_NAME: 'staging.example.com' }).commands[1]).toMatch(
      /--connect-to '?staging\.example\.com:443:.*DocuThinker-staging-Platform.* https:\/\/staging\.example\.com\/ready$/,
    );
  });

  // Found by an exploratory test: smoke read the variables itself, so a blank
  // stage variable hid the plain one deploy used, and padding reached the URL:
  // a healthy deploy failed smoke after 300 s and was rolled back.
  it('smoke: takes the domain as deploy does, trimmed, a blank stage variable counting as unset', () => {
    const outputs = join(stateDir, 'prod-outputs.json');
    writeFileSync(
      outputs,
      JSON.stringify({
        'DocuThinker-prod-Platform': {
          LoadBalancerDnsName: 'prod-alb.us-east-1.elb.amazonaws.com',
        },
      }),
    );
    const probes = ['/health', '/ready', '/ai/ready'].map(
      (path) =>
        `curl --silent --location --max-time 10 --output /dev/null --write-out '%{http_code}' --connect-to api.example.com:443:prod-alb.us-east-1.elb.amazonaws.com:443 https://api.example.com${path}`,
    );
    for (const environment of [
      { DOCUTHINKER_PROD_DOMAIN_NAME: '  ', DOCUTHINKER_DOMAIN_NAME: 'api.example.com' },
      { DOCUTHINKER_PROD_DOMAIN_NAME: '', DOCUTHINKER_DOMAIN_NAME: '\tapi.example.com ' },
      {
        DOCUTHINKER_PROD_DOMAIN_NAME: 'api.example.com ',
        DOCUTHINKER_DOMAIN_NAME: 'x.example.com',
      },
    ]) {
      const { commands } = dryRun('smoke', {
        STAGE: 'prod',
        SMOKE_OUTPUTS_FILE: outputs,
        ...environment,
      });
      expect(commands).toEqual(probes);
    }
    // Blank everywhere: no domain, so the load balancer's own name over HTTP.
    const none = dryRun('smoke', {
      STAGE: 'prod',
      SMOKE_OUTPUTS_FILE: outputs,
      DOCUTHINKER_PROD_DOMAIN_NAME: ' ',
      DOCUTHINKER_DOMAIN_NAME: '',
    });
    expect(none.commands[0]).toMatch(/ http:\/\/prod-alb\.us-east-1\.elb\.amazonaws\.com\/health$/);
  });

  it('smoke: a domain deploy would refuse stops it in one line naming the variable, probing nothing', () => {
    const run = runStep(['smoke', '--dry-run'], {
      STAGE: 'prod',
      CI_STATE_DIR: stateDir,
      DOCUTHINKER_PROD_DOMAIN_NAME: 'https://api.example.com/',
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^smoke: domainName must be a hostname .*"https:\/\/api\.example\.com\/".*\(from DOCUTHINKER_PROD_DOMAIN_NAME\)$/,
      ),
    ]);
    expect(run.commands).toEqual([]);
  });

  it('smoke: a real run without the outputs deploy writes stops in one line', () => {
    const run = runStep(['smoke'], {
      STAGE: 'dr',
      DOCUTHINKER_DR_DOMAIN_NAME: 'docuthinker.example.com',
      SMOKE_OUTPUTS_FILE: join(stateDir, 'missing.json'),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('missing.json: the deploy step writes it');
    expect(run.commands).toEqual([]);
  });

  it('rollback: once the stacks settled and the services run another tag, redeploys the recorded one through deploy, without recording again, then waits', () => {
    mkdirSync(join(stateDir, 'staging'), { recursive: true });
    writeFileSync(join(stateDir, 'staging', 'previous-image-tag'), 'prev111\n');
    const { commands } = dryRun('rollback');
    expect(commands.slice(0, 2)).toEqual(
      ['Network', 'Platform'].map(
        (part) =>
          `aws cloudformation describe-stacks --region us-east-1 --stack-name DocuThinker-staging-${part} --query 'Stacks[0].StackStatus' --output text`,
      ),
    );
    // What runs now, read once by rollback; deploy reads and records nothing.
    expect(commands.filter((command) => command.startsWith('aws ecs describe-services'))).toEqual(
      ['backend-service', 'aiml-service'].map(
        (service) =>
          `aws ecs describe-services --region us-east-1 --cluster docuthinker-cluster-staging --services ${service} --query 'services[0].taskDefinition' --output text`,
      ),
    );
    expect(commands.some((command) => command.includes('previous-image-tag'))).toBe(false);
    const deploy = commandIndex(commands, 'nx deploy infra');
    expect(commandIndex(commands, 'aws ecs describe-task-definition')).toBeLessThan(deploy);
    expect(commands[deploy]).toBe(
      'env IMAGE_TAG=prev111 npx nx deploy infra --configuration=staging --output-style=static -- --require-approval=never',
    );
    // Nothing is tagged: the image it goes back to was tagged when it was verified.
    expect(commands.some((command) => command.includes('aws ecr'))).toBe(false);
    expect(commands.at(-1)).toBe(
      'aws ecs wait services-stable --region us-east-1 --cluster docuthinker-cluster-staging --services chroma-service aiml-service backend-service',
    );
  });

  it('cleanup: logs out of the registry push-images used and removes the images it finds', () => {
    const fakes = installFakeCommands(stateDir);
    const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    writeFileSync(join(stateDir, 'ecr-registry'), `${registry}\n`);
    const { commands } = dryRun('cleanup', {
      PATH: fakes.path,
      FAKE_LOG: fakes.log,
      FAKE_IMAGES: `docuthinker-backend:${TAG} ${registry}/docuthinker-ai-ml:${TAG}`,
    });
    expect(commands).toEqual([
      `docker logout ${registry}`,
      `docker image rm docuthinker-backend:${TAG}`,
      `docker image rm ${registry}/docuthinker-ai-ml:${TAG}`,
    ]);
  });

  it('cleanup: nothing to do without a container engine', () => {
    const { stdout, commands } = dryRun('cleanup', { CONTAINER_ENGINE: 'no-such-engine' });
    expect(commands).toEqual([]);
    expect(stdout).toContain('no no-such-engine here');
  });
});
