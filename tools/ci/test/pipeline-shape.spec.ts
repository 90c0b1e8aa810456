import { statSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYMENT_CONTEXT_KEYS } from '@docuthinker/infra';
import { parse } from 'yaml';
import { readWorkspaceFile, WORKSPACE_ROOT } from './support/workspace-files';

interface Step {
  readonly id?: string;
  readonly if?: string;
  readonly run?: string;
  readonly uses?: string;
  readonly with?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  readonly 'timeout-minutes'?: number;
}

interface Job {
  readonly if?: string;
  readonly 'timeout-minutes'?: number;
  readonly needs?: string | string[];
  readonly environment?: string | { name: string };
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly permissions?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly steps: Step[];
}

interface Workflow {
  readonly on: Record<string, unknown>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, Job>;
}

const ci = parse(readWorkspaceFile('.github/workflows/ci.yml')) as Workflow;
const deploy = parse(readWorkspaceFile('.github/workflows/deploy.yml')) as Workflow;
const jenkinsfile = readWorkspaceFile('Jenkinsfile');

const runs = (job: Job, step: string) =>
  job.steps.find((candidate) => candidate.run?.startsWith(`tools/ci/run-step ${step}`));
const usesAction = (job: Job, action: string) =>
  job.steps.find((candidate) => candidate.uses?.startsWith(`${action}@`));

/** The moto version .ci/run expects the machine to have. */
const MOTO_VERSION = /moto (\d+\.\d+\.\d+)/.exec(readWorkspaceFile('.ci/run'))?.[1];

/** The step that installs the servers the test suites start (libs/testing/src/services.ts). */
const testServersSetup = (job: Job) =>
  job.steps.find((step) => step.run?.includes('apt-get install') && step.run.includes('moto'));

function expectTestServersBefore(job: Job, verify: Step | undefined): Step {
  const setup = testServersSetup(job);
  expect(setup?.run).toMatch(/^sudo apt-get install -y --no-install-recommends redis-server$/m);
  expect(MOTO_VERSION).toBeDefined();
  expect(setup?.run).toContain(`pipx install "moto[server]==${MOTO_VERSION}"`);
  expect(job.steps.indexOf(setup as Step)).toBeLessThan(job.steps.indexOf(verify as Step));
  return setup as Step;
}

describe('ci.yml', () => {
  it('runs on pull requests and pushes', () => {
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
  });

  it('gives nx affected full history, the last green base and an npm cache', () => {
    const verify = ci.jobs['verify'] as Job;
    expect(usesAction(verify, 'actions/checkout')?.with?.['fetch-depth']).toBe(0);
    expect(usesAction(verify, 'nrwl/nx-set-shas')).toBeDefined();
    for (const job of Object.values(ci.jobs)) {
      expect(usesAction(job, 'actions/setup-node')?.with?.['cache']).toBe('npm');
    }
  });

  it("tests, builds and deploys on the Node the images ship (.nvmrc, the Dockerfiles' NODE_IMAGE)", () => {
    const nvmrc = readWorkspaceFile('.nvmrc').trim();
    for (const app of ['backend', 'aiml-gateway']) {
      const dockerfile = readWorkspaceFile(`docker/${app}.Dockerfile`);
      expect(/^ARG NODE_IMAGE=node:([^-]+)-/m.exec(dockerfile)?.[1]).toBe(nvmrc);
    }
    let setups = 0;
    for (const workflow of [ci, deploy]) {
      for (const job of Object.values(workflow.jobs)) {
        const setup = usesAction(job, 'actions/setup-node');
        if (!setup) continue;
        setups += 1;
        expect(setup.with).toMatchObject({ 'node-version-file': '.nvmrc' });
        expect(setup.with?.['node-version']).toBeUndefined();
      }
    }
    expect(setups).toBeGreaterThan(0);
  });

  it('installs the Redis and moto servers the tests start, in the matrix entry that tests', () => {
    const verify = ci.jobs['verify'] as Job;
    const setup = expectTestServersBefore(verify, runs(verify, 'verify'));
    expect(setup.if).toBe("contains(matrix.targets, 'test')");
  });

  it('verifies, synthesizes, runs the testcontainers suites and builds and scans the images', () => {
    const steps = Object.values(ci.jobs).flatMap((job) => job.steps.map((step) => step.run ?? ''));
    for (const step of ['verify', 'synth', 'integration', 'build-images', 'scan-images']) {
      expect(steps.some((run) => run.startsWith(`tools/ci/run-step ${step}`))).toBe(true);
    }
  });
});

describe('deploy.yml', () => {
  const deployJobs = [deploy.jobs['deploy'], deploy.jobs['deploy-approved']] as Job[];
  const environmentOf = (job: Job) =>
    typeof job.environment === 'string' ? job.environment : job.environment?.name;

  it('runs after a CI run on main completes, and on a manual run with a stage input', () => {
    expect(Object.keys(deploy.on).sort()).toEqual(['workflow_dispatch', 'workflow_run']);
    expect(deploy.on['workflow_run']).toEqual({
      workflows: ['CI'],
      types: ['completed'],
      branches: ['main'],
    });
    expect(deploy.on['workflow_dispatch']).toMatchObject({
      inputs: { stage: { type: 'choice', options: ['dev', 'staging', 'prod', 'dr'] } },
    });
    // The name workflow_run waits for is ci.yml's.
    expect(ci).toMatchObject({ name: 'CI' });
  });

  it('ships only a commit whose CI run on a push to main succeeded, and exactly that commit', () => {
    const build = deploy.jobs['build-images'] as Job;
    expect(build.if).toContain("github.event.workflow_run.conclusion == 'success'");
    expect(build.if).toContain("github.event.workflow_run.event == 'push'");
    expect(build.if).toContain(
      'github.event.workflow_run.head_repository.full_name == github.repository',
    );
    expect((deploy as unknown as { env: Record<string, string> }).env['IMAGE_TAG']).toBe(
      '${{ github.event.workflow_run.head_sha || github.sha }}',
    );
    // Every later job needs build-images through publish-images, so nothing deploys when CI failed.
    expect(deploy.jobs['publish-images']?.needs).toBe('build-images');
    for (const [name, job] of Object.entries(deploy.jobs)) {
      expect(usesAction(job, 'actions/checkout')?.with?.['ref']).toBe('${{ env.IMAGE_TAG }}');
      if (!name.endsWith('-images')) expect([job.needs].flat()).toContain('publish-images');
    }
  });

  it('deploys dr without us-east-1: it publishes no images and asks STS in its own region', () => {
    // DR is deployed when us-east-1 (prod's region, where images are pushed) may be down.
    expect((deploy.jobs['build-images'] as Job).if).toContain(
      "(github.event_name == 'workflow_dispatch' && inputs.stage != 'dr')",
    );
    for (const name of ['diff', 'deploy-approved']) {
      const job = deploy.jobs[name] as Job;
      expect(job.if).toContain(
        "(needs.publish-images.result == 'success' || (inputs.stage == 'dr' && needs.publish-images.result == 'skipped'))",
      );
      const regions = job.steps
        .filter((step) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'))
        .map((step) => step.with?.['aws-region']);
      expect(regions.length).toBeGreaterThan(0);
      for (const region of regions) {
        expect(region).toBe("${{ inputs.stage == 'dr' && 'us-west-2' || 'us-east-1' }}");
      }
    }
  });

  it('verifies the commit of a manual run before any image of it is built or pushed', () => {
    const publish = deploy.jobs['build-images'] as Job;
    const verify = runs(publish, 'verify');
    expect(verify?.if).toBe("github.event_name == 'workflow_dispatch'");
    // Every target, and on every project: the shallow checkout gives verify no base.
    expect(verify?.run).toBe('tools/ci/run-step verify');
    expect(usesAction(publish, 'actions/checkout')?.with?.['fetch-depth']).toBeUndefined();
    const order = (step: string) => publish.steps.indexOf(runs(publish, step) as Step);
    expect(order('install')).toBeLessThan(order('verify'));
    // CI's other gates too, as Jenkins runs them before it deploys anything.
    expect(order('verify')).toBeLessThan(order('synth'));
    expect(order('synth')).toBeLessThan(order('integration'));
    expect(order('integration')).toBeLessThan(order('build-images'));
    expect(order('scan-images')).toBeLessThan(order('save-images'));
    for (const gate of ['synth', 'integration']) expect(runs(publish, gate)?.if).toBe(verify?.if);
    expect(runs(publish, 'install')?.env).toEqual({
      DOCUTHINKER_SHARED_REPOSITORY: '${{ secrets.DOCUTHINKER_SHARED_REPOSITORY }}',
    });
  });

  it('installs the Redis and moto servers for the tests of a manual run, and cfn-lint for its synth', () => {
    const publish = deploy.jobs['build-images'] as Job;
    const setup = expectTestServersBefore(publish, runs(publish, 'verify'));
    expect(setup.if).toBe(runs(publish, 'verify')?.if);
    expect(setup.run).toContain('pipx install cfn-lint==');
  });

  // Found in review: with id-token granted to the whole workflow, any step of
  // any job (npm ci's install scripts, the tests, trivy) could ask GitHub for
  // the OIDC token and assume the publish or a deploy role, not only the
  // steps after configure-aws-credentials.
  it('grants the OIDC token only to jobs that run no tests, scans or install scripts', () => {
    expect(deploy.permissions).toEqual({ contents: 'read' });
    const untrusted = ['verify', 'synth', 'integration', 'build-images', 'scan-images'];
    for (const [name, job] of Object.entries(deploy.jobs)) {
      const credentials = job.steps.findIndex((step) =>
        step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      );
      if (credentials === -1) {
        expect({ name, permissions: job.permissions }).toEqual({ name, permissions: undefined });
        continue;
      }
      expect({ name, permissions: job.permissions }).toEqual({
        name,
        permissions: { 'id-token': 'write', contents: 'read' },
      });
      for (const step of untrusted)
        expect({ name, step, ran: runs(job, step) }).toEqual({ name, step, ran: undefined });
      expect(usesAction(job, 'aquasecurity/setup-trivy')).toBeUndefined();
      const install = runs(job, 'install');
      if (install) expect(job.steps.indexOf(install)).toBeLessThan(credentials);
    }
    // The install step itself runs no dependency's install script.
    expect(readWorkspaceFile('tools/ci/steps/install.sh')).toContain('npm ci --ignore-scripts');
    const build = deploy.jobs['build-images'] as Job;
    for (const step of untrusted.slice(3)) expect(runs(build, step)).toBeDefined();
    const publish = deploy.jobs['publish-images'] as Job;
    expect(runs(publish, 'install')).toBeUndefined();
    const credentials = publish.steps.findIndex((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(publish.steps.indexOf(runs(publish, 'load-images') as Step)).toBeLessThan(credentials);
    expect(publish.steps.indexOf(runs(publish, 'push-images') as Step)).toBe(credentials + 1);
  });

  it('installs trivy through the setup action pinned by commit, at a pinned release', () => {
    for (const workflow of [ci, deploy]) {
      for (const job of Object.values(workflow.jobs)) {
        const setup = usesAction(job, 'aquasecurity/setup-trivy');
        if (!setup) continue;
        expect(setup.uses).toMatch(/^aquasecurity\/setup-trivy@[0-9a-f]{40}$/);
        expect(setup.with?.['version']).toMatch(/^v\d+\.\d+\.\d+$/);
      }
    }
  });

  it("assumes a role through OIDC in every job: the publish role, else the environment's own role", () => {
    const source = readWorkspaceFile('.github/workflows/deploy.yml');
    expect(source).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    for (const [name, job] of Object.entries(deploy.jobs)) {
      const role = usesAction(job, 'aws-actions/configure-aws-credentials')?.with?.[
        'role-to-assume'
      ];
      if (name === 'build-images') {
        expect(role).toBeUndefined();
      } else if (name === 'publish-images') {
        // Trusted by main's environment-less jobs only; it pushes images and deploys nothing.
        expect(environmentOf(job)).toBeUndefined();
        expect(role).toBe('${{ secrets.AWS_PUBLISH_ROLE_ARN }}');
      } else {
        // An environment secret: each GitHub environment holds its own stage's role.
        expect(environmentOf(job)).toBeDefined();
        expect(role).toBe('${{ secrets.AWS_DEPLOY_ROLE_ARN }}');
      }
    }
  });

  it('deploys each stage in its own environment, one deploy per stage at a time', () => {
    for (const job of deployJobs) {
      expect(job.concurrency?.group).toMatch(/^deploy-/);
      expect(job.concurrency?.['cancel-in-progress']).toBe(false);
    }
    expect(environmentOf(deploy.jobs['deploy-approved'] as Job)).toBe(
      "${{ github.event_name == 'workflow_run' && 'prod' || inputs.stage }}",
    );
    expect(environmentOf(deploy.jobs['deploy'] as Job)).toBe(
      "${{ github.event_name == 'workflow_run' && 'staging' || inputs.stage }}",
    );
  });

  it("passes every deployment value the infra reads from the environment, as the stage's", () => {
    const variables = Object.keys(DEPLOYMENT_CONTEXT_KEYS).map((suffix) => `DOCUTHINKER_${suffix}`);
    expect(variables).toEqual(
      expect.arrayContaining([
        'DOCUTHINKER_ALARM_EMAIL',
        'DOCUTHINKER_AIML_UPSTREAM_IMAGE',
        'DOCUTHINKER_REPLICATE_DOCUMENTS',
        'DOCUTHINKER_CORS_ORIGINS',
      ]),
    );
    for (const job of [...deployJobs, deploy.jobs['diff'] as Job]) {
      for (const variable of variables) {
        expect(job.env?.[variable]).toMatch(new RegExp(`^\\$\\{\\{ secrets\\.${variable} \\}\\}$`));
      }
    }
  });

  it('shows the diff of the approved stage, read-only, before its reviewers approve the deploy', () => {
    const diff = deploy.jobs['diff'] as Job;
    expect(runs(diff, 'diff')).toBeDefined();
    expect(environmentOf(diff)).toBe(
      "${{ github.event_name == 'workflow_run' && 'prod-diff' || format('{0}-diff', inputs.stage) }}",
    );
    expect(diff.env?.['STAGE']).toBe((deploy.jobs['deploy-approved'] as Job).env?.['STAGE']);
    expect([(deploy.jobs['deploy-approved'] as Job).needs].flat()).toContain('diff');
    expect((deploy.jobs['deploy-approved'] as Job).if).toContain("needs.diff.result == 'success'");
  });

  it('pushes, deploys, waits, smoke-tests and rolls back when anything after deploy fails', () => {
    expect(runs(deploy.jobs['publish-images'] as Job, 'push-images')).toBeDefined();
    for (const job of deployJobs) {
      const order = ['deploy', 'wait-stable', 'smoke', 'rollback'].map((step) =>
        job.steps.indexOf(runs(job, step) as Step),
      );
      expect(order.every((index, position) => index > (order[position - 1] ?? -1))).toBe(true);
      expect(runs(job, 'rollback')?.if).toMatch(/^failure\(\) && \(steps\.deploy\.outcome/);
      expect(runs(job, 'deploy')?.id).toBe('deploy');
    }
  });

  it('gives the rollback fresh credentials and time: a failed deploy may use up the hour of both', () => {
    for (const job of deployJobs) {
      // A step's own timeout fails it, so the rollback runs; the job's would cancel it all.
      const limits = ['install', 'deploy', 'wait-stable', 'smoke', 'rollback'].map(
        (step) => runs(job, step)?.['timeout-minutes'] ?? 0,
      );
      expect(limits.every((minutes) => minutes > 0)).toBe(true);
      expect(runs(job, 'rollback')?.['timeout-minutes']).toBeGreaterThanOrEqual(60);
      // The job's own limit leaves room for every step's, and for install.
      expect(job['timeout-minutes']).toBeGreaterThan(
        limits.reduce((sum, minutes) => sum + minutes),
      );
      const rollback = job.steps.indexOf(runs(job, 'rollback') as Step);
      const refresh = job.steps[rollback - 1];
      expect(refresh?.uses).toMatch(/^aws-actions\/configure-aws-credentials@/);
      expect(refresh?.if).toBe(runs(job, 'rollback')?.if);
      expect(refresh?.with?.['role-to-assume']).toBe('${{ secrets.AWS_DEPLOY_ROLE_ARN }}');
    }
  });
});

describe('Jenkinsfile', () => {
  /** A stage's text, up to the next stage at its own depth or shallower. */
  const stage = (name: string) => {
    const start = jenkinsfile.indexOf(`stage('${name}')`);
    if (start < 0) throw new Error(`no stage '${name}'`);
    const depth = start - jenkinsfile.lastIndexOf('\n', start) - 1;
    const next = new RegExp(`\\n {0,${depth}}(?:stage\\('|\\}\\n\\s*post \\{)`, 'g');
    next.lastIndex = start;
    return jenkinsfile.slice(start, next.exec(jenkinsfile)?.index ?? jenkinsfile.length);
  };

  it('takes the nx base from the last successful build', () => {
    expect(stage('Checkout')).toContain('checkOutBuild()');
    expect(jenkinsfile).toContain('env.NX_BASE = checkedOut.GIT_PREVIOUS_SUCCESSFUL_COMMIT');
  });

  it('verifies and builds the images in parallel', () => {
    expect(stage('Verify')).toContain('parallel {');
    expect(stage('Build Images')).toContain('parallel {');
  });

  it('deploys staging on main, and prod on main only after an approval', () => {
    for (const name of ['Push', 'Deploy staging', 'Approve prod', 'Deploy prod']) {
      expect(stage(name)).toContain("when { branch 'main' }");
    }
    expect(stage('Approve prod')).toMatch(/input\(\s*message:/);
    expect(jenkinsfile.indexOf("stage('Verify staging')")).toBeLessThan(
      jenkinsfile.indexOf("stage('Approve prod')"),
    );
  });

  it('shows the prod diff, archived, before the prod approval', () => {
    expect(stage('Diff prod')).toContain("when { branch 'main' }");
    expect(stage('Diff prod')).toContain('tools/ci/run-step diff');
    expect(stage('Diff prod')).toContain("archiveArtifacts(artifacts: 'reports/diff/*.txt'");
    expect(jenkinsfile.indexOf("stage('Diff prod')")).toBeLessThan(
      jenkinsfile.indexOf("stage('Approve prod')"),
    );
  });

  it("runs each stage's AWS steps inside that stage's own credentials", () => {
    expect(stage('Push')).toContain("withCredentials(awsRole('publish'))");
    for (const name of ['Deploy staging', 'Verify staging']) {
      expect(stage(name)).toContain("withCredentials(awsRole('staging'))");
    }
    // Before approval, only the read-only diff role.
    expect(stage('Diff prod')).toContain("withCredentials(awsRole('prod-diff'))");
    expect(stage('Diff prod')).not.toContain("awsRole('prod')");
    for (const name of ['Deploy prod', 'Verify prod']) {
      expect(stage(name)).toContain("withCredentials(awsRole('prod'))");
    }
    expect(jenkinsfile).toMatch(/credentialsId: "docuthinker-aws-\$\{name\}"/);
  });

  it('rolls back on failure, reports tests always, and cleans up last, on each agent it takes', () => {
    for (const name of ['Build and release to staging', 'Release to prod']) {
      const post = stage(name).slice(stage(name).lastIndexOf('            post {'));
      // Failed or aborted, as a stage's own timeout aborts it.
      expect(post).toMatch(/unsuccessful \{\s*rollBackUnverifiedStage\(\)/);
      expect(post).toMatch(/cleanup \{\s*cleanUpAgent\(\)/);
    }
    expect(stage('Build and release to staging')).toMatch(
      /always \{\s*junit\(testResults: 'reports\/junit\/\*\.xml'/,
    );
    expect(jenkinsfile).toMatch(
      /void rollBackUnverifiedStage\(\) \{[\s\S]*?tools\/ci\/run-step rollback/,
    );
    expect(jenkinsfile).toMatch(
      /void cleanUpAgent\(\) \{[\s\S]*?tools\/ci\/run-step cleanup[\s\S]*?deleteDir\(\)/,
    );
    for (const name of ['Deploy staging', 'Verify staging', 'Deploy prod', 'Verify prod']) {
      expect(stage(name)).toMatch(
        /timeout\(stageLimit\('(deploy|verify)'\)\) \{\s+withCredentials/,
      );
    }
  });

  it('holds no agent while the prod approval waits, and releases the approved commit', () => {
    expect(jenkinsfile).toMatch(/^pipeline \{\n(?:\s*\/\/.*\n)*\s*agent none\n/m);
    expect(stage('Approve prod')).not.toMatch(/^\s*agent /m);
    for (const name of ['Build and release to staging', 'Release to prod']) {
      expect(stage(name)).toContain("agent { label 'docuthinker-ci' }");
    }
    // Not even briefly for a build of another branch.
    expect(stage('Release to prod')).toMatch(/when \{\s*branch 'main'\s*beforeAgent true\s*\}/);
    // The same commit as the images: checkOutBuild refuses any other.
    expect(stage('Checkout for prod')).toContain('checkOutBuild()');
    expect(jenkinsfile).toMatch(/env\.IMAGE_TAG != checkedOut\.GIT_COMMIT\) \{\s*error\(/);
  });
});

it('tools/ci/run-step is executable, as both pipelines call it directly', () => {
  expect(statSync(join(WORKSPACE_ROOT, 'tools/ci/run-step')).mode & 0o111).not.toBe(0);
});
