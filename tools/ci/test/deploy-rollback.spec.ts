import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installFakeCommands, type FakeCommands } from './support/fake-commands';
import { runStep, scratchDir } from './support/run-step';

/**
 * deploy and rollback run for real here, against a fake AWS CLI and npx that
 * log what they were asked: rollback must redeploy exactly the tag deploy
 * found running, through the same deploy command.
 */
describe('deploy records the running tag and rollback redeploys it', () => {
  let dir: string;
  let fakes: FakeCommands;
  let env: Record<string, string>;

  beforeEach(() => {
    dir = scratchDir('deploy');
    fakes = installFakeCommands(dir);
    env = {
      PATH: fakes.path,
      FAKE_LOG: fakes.log,
      CI_STATE_DIR: join(dir, 'state'),
      STAGE: 'staging',
      IMAGE_TAG: 'new2222',
      FAKE_RUNNING_TAG: 'prev111',
    };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const record = (name: string) => readFileSync(join(dir, 'state', 'staging', name), 'utf8').trim();
  const deployCalls = () => fakes.calls().filter((call) => call.startsWith('npx nx deploy'));

  it('records the running tag before deploying the new one', () => {
    const deploy = runStep(['deploy'], env);
    expect(deploy.stderr).toBe('');
    expect(deploy.status).toBe(0);
    expect(record('previous-image-tag')).toBe('prev111');
    expect(record('deployed-image-tag')).toBe('new2222');

    const calls = fakes.calls();
    const lastQuery = calls.findLastIndex((call) =>
      call.startsWith('aws ecs describe-task-definition'),
    );
    const deployCall = calls.findIndex((call) => call.startsWith('npx nx deploy'));
    expect(lastQuery).toBeGreaterThanOrEqual(0);
    expect(lastQuery).toBeLessThan(deployCall);
    expect(calls[deployCall]).toBe(
      'npx nx deploy infra --configuration=staging --output-style=static -- --require-approval=never IMAGE_TAG=new2222',
    );
  });

  const tagged = () => fakes.calls().filter((call) => call.startsWith('aws ecr put-image'));
  // Prod alone tags the images it runs (libs/infra STAGES_KEEPING_IMAGES).
  const prodEnv = () => ({ ...env, STAGE: 'prod' });
  const smokeEnv = () => ({
    ...prodEnv(),
    SMOKE_BASE_URL: 'https://prod.example',
    SMOKE_INTERVAL_SECONDS: '0',
  });

  it('tags both images deployed-<stage>-<tag> once smoke has verified the deploy, once per tag', () => {
    expect(runStep(['deploy'], prodEnv()).status).toBe(0);
    // Not before the stage is verified on them.
    expect(tagged()).toEqual([]);
    expect(runStep(['smoke'], smokeEnv()).status).toBe(0);
    expect(tagged()).toEqual(
      ['docuthinker-backend', 'docuthinker-ai-ml'].map(
        (repository) =>
          `aws ecr put-image --region us-east-1 --repository-name ${repository} --image-tag deployed-prod-new2222 --image-manifest {"schemaVersion":2} --image-manifest-media-type application/vnd.oci.image.manifest.v1+json --query image.imageId.imageTag --output text`,
      ),
    );
    // Verified again (a re-run), the tags are there already and none is added.
    expect(runStep(['smoke'], smokeEnv()).status).toBe(0);
    expect(tagged()).toHaveLength(2);
  });

  it("takes a stage's tag off its images older than the last five it was verified on", () => {
    for (const tag of ['t1', 't2', 't3', 't4', 't5', 't6']) {
      expect(runStep(['deploy'], { ...prodEnv(), IMAGE_TAG: tag }).status).toBe(0);
      expect(runStep(['smoke'], { ...smokeEnv(), IMAGE_TAG: tag }).status).toBe(0);
    }
    const untagged = fakes.calls().filter((call) => call.startsWith('aws ecr batch-delete-image'));
    expect(untagged).toEqual(
      ['docuthinker-backend', 'docuthinker-ai-ml'].map(
        (repository) =>
          `aws ecr batch-delete-image --region us-east-1 --repository-name ${repository} --image-ids imageTag=deployed-prod-t1 --query failures --output text`,
      ),
    );
  });

  // Found in review: the tag just put on an image first pushed long ago (a
  // rollback to it) sorted oldest, and came straight off again.
  it('never takes off the tag it has just put, however old its image', () => {
    for (const tag of ['t1', 't2', 't3', 't4', 't5']) {
      expect(runStep(['deploy'], { ...prodEnv(), IMAGE_TAG: tag }).status).toBe(0);
      expect(runStep(['smoke'], { ...smokeEnv(), IMAGE_TAG: tag }).status).toBe(0);
    }
    expect(runStep(['deploy'], { ...prodEnv(), IMAGE_TAG: 't0' }).status).toBe(0);
    const smoke = runStep(['smoke'], {
      ...smokeEnv(),
      IMAGE_TAG: 't0',
      FAKE_ECR_PUSHED_FIRST: 'deployed-prod-t0',
    });
    expect(smoke.status).toBe(0);
    const untagged = fakes.calls().filter((call) => call.startsWith('aws ecr batch-delete-image'));
    expect(untagged).toEqual(
      ['docuthinker-backend', 'docuthinker-ai-ml'].map(
        (repository) =>
          `aws ecr batch-delete-image --region us-east-1 --repository-name ${repository} --image-ids imageTag=deployed-prod-t1 --query failures --output text`,
      ),
    );
  });

  it('tags nothing for dev or staging, whose roles hold no rights on the images prod runs', () => {
    for (const stage of ['staging', 'dev']) {
      expect(runStep(['deploy'], { ...env, STAGE: stage }).status).toBe(0);
      const smoke = runStep(['smoke'], { ...smokeEnv(), STAGE: stage });
      expect(smoke.status).toBe(0);
      expect(smoke.stdout + smoke.stderr).toContain(`${stage} tags no image`);
    }
    expect(fakes.calls().filter((call) => call.startsWith('aws ecr'))).toEqual([]);
  });

  it('leaves a verified stage in place when its images cannot be tagged, and says so', () => {
    expect(runStep(['deploy'], prodEnv()).status).toBe(0);
    const missing = runStep(['smoke'], { ...smokeEnv(), FAKE_ECR_MISSING: 'new2222' });
    expect(missing.status).toBe(0);
    expect(missing.stderr + missing.stdout).toContain('could not be tagged as deployed');
    // A failed AWS call stops the tagging there, and is reported the same way.
    const denied = runStep(['smoke'], { ...smokeEnv(), FAKE_ECR_FAILING: 'put-image' });
    expect(denied.status).toBe(0);
    expect(denied.stderr + denied.stdout).toContain('could not be tagged as deployed');
    expect(fakes.calls().filter((call) => call.startsWith('aws ecr describe-images'))).toEqual([]);
  });

  it('tags nothing for a deploy that failed, or one that smoke did not verify', () => {
    expect(runStep(['deploy'], { ...prodEnv(), FAKE_DEPLOY_STATUS: '1' }).status).toBe(1);
    // The stage runs what it ran before, which was tagged when it was verified.
    expect(runStep(['smoke'], smokeEnv()).status).toBe(0);
    expect(tagged()).toEqual([]);
    expect(runStep(['deploy'], prodEnv()).status).toBe(0);
    const failing = runStep(['smoke'], {
      ...smokeEnv(),
      FAKE_HTTP_STATUS: '503',
      SMOKE_DEADLINE_SECONDS: '0',
    });
    expect(failing.status).toBe(1);
    expect(tagged()).toEqual([]);
  });

  // The deploy went through, new2222 runs, and a step after it failed.
  const afterDeploy = () => ({ ...env, FAKE_RUNNING_TAG: 'new2222' });

  it('rolls back to that tag with the same deploy command, leaving the record alone', () => {
    expect(runStep(['deploy'], env).status).toBe(0);

    const rollback = runStep(['rollback'], afterDeploy());
    expect(rollback.status).toBe(0);
    expect(rollback.stdout).toContain('rolling staging back to prev111');
    expect(deployCalls()).toEqual([
      'npx nx deploy infra --configuration=staging --output-style=static -- --require-approval=never IMAGE_TAG=new2222',
      'npx nx deploy infra --configuration=staging --output-style=static -- --require-approval=never IMAGE_TAG=prev111',
    ]);
    expect(fakes.calls().at(-1)).toBe(
      'aws ecs wait services-stable --region us-east-1 --cluster docuthinker-cluster-staging --services chroma-service aiml-service backend-service',
    );
    // Rollback must not record the broken tag as "previous": a second rollback still restores prev111.
    expect(record('previous-image-tag')).toBe('prev111');
    expect(record('deployed-image-tag')).toBe('prev111');
  });

  // A deploy cut off by its step's time limit leaves CloudFormation updating a
  // stack: deploy updates the stage's stacks in turn, the network before the platform.
  it("waits for each of the stage's stacks to settle before it redeploys", () => {
    expect(runStep(['deploy'], env).status).toBe(0);
    const rollback = runStep(['rollback'], {
      ...afterDeploy(),
      FAKE_STACK_STATUSES:
        'UPDATE_IN_PROGRESS UPDATE_ROLLBACK_IN_PROGRESS UPDATE_ROLLBACK_COMPLETE',
      ROLLBACK_SETTLE_INTERVAL_SECONDS: '0',
    });
    expect(rollback.status).toBe(0);
    expect(rollback.stdout).toContain(
      'DocuThinker-staging-Network is UPDATE_ROLLBACK_IN_PROGRESS: waiting for it to settle',
    );
    const calls = fakes.calls();
    const looks = calls.filter((call) => call.startsWith('aws cloudformation describe-stacks'));
    expect(looks.map((call) => /--stack-name (\S+)/.exec(call)?.[1])).toEqual([
      'DocuThinker-staging-Network',
      'DocuThinker-staging-Network',
      'DocuThinker-staging-Network',
      'DocuThinker-staging-Platform',
    ]);
    expect(calls.findLastIndex((call) => call.startsWith('aws cloudformation'))).toBeLessThan(
      calls.findLastIndex((call) => call.startsWith('npx nx deploy')),
    );
  });

  it('gives up, deploying nothing, on a stack that does not settle in time', () => {
    expect(runStep(['deploy'], env).status).toBe(0);
    const rollback = runStep(['rollback'], {
      ...env,
      FAKE_STACK_STATUSES: 'UPDATE_IN_PROGRESS',
      ROLLBACK_SETTLE_SECONDS: '0',
    });
    expect(rollback.status).toBe(1);
    expect(rollback.stderr).toContain(
      'DocuThinker-staging-Network is still UPDATE_IN_PROGRESS after 0s: roll back once it has settled',
    );
    expect(deployCalls()).toHaveLength(1);
  });

  it('redeploys nothing after CloudFormation rolled a failed deploy back, and waits for the services', () => {
    expect(runStep(['deploy'], { ...env, FAKE_DEPLOY_STATUS: '1' }).status).toBe(1);
    // The stacks are back on their last templates, and the services run prev111 again.
    const rollback = runStep(['rollback'], {
      ...env,
      FAKE_STACK_STATUSES: 'UPDATE_ROLLBACK_COMPLETE',
    });
    expect(rollback.stderr).toBe('');
    expect(rollback.status).toBe(0);
    expect(rollback.stdout).toContain(
      'staging runs prev111 again, as CloudFormation rolled the deploy back: nothing to redeploy',
    );
    expect(deployCalls()).toHaveLength(1);
    expect(fakes.calls().at(-1)).toBe(
      'aws ecs wait services-stable --region us-east-1 --cluster docuthinker-cluster-staging --services chroma-service aiml-service backend-service',
    );
  });

  it('keeps the record when the deploy itself fails, so rollback still knows the tag', () => {
    const deploy = runStep(['deploy'], { ...env, FAKE_DEPLOY_STATUS: '1' });
    expect(deploy.status).toBe(1);
    expect(record('previous-image-tag')).toBe('prev111');
    const rollback = runStep(['rollback', '--dry-run'], env);
    expect(rollback.commands).toContainEqual(
      expect.stringContaining('IMAGE_TAG=prev111 npx nx deploy infra --configuration=staging'),
    );
  });

  it('deploys a stage that never ran, and then has nothing to roll back to', () => {
    const deploy = runStep(['deploy'], { ...env, FAKE_NO_CLUSTER: '1' });
    expect(deploy.status).toBe(0);
    expect(deploy.stdout).toContain('nothing runs in staging yet');
    expect(record('previous-image-tag')).toBe('');

    const rollback = runStep(['rollback'], env);
    expect(rollback.status).toBe(1);
    expect(rollback.stderr).toContain('nothing to roll back to');
    expect(deployCalls()).toHaveLength(1);
  });

  describe('when deploys finish out of order', () => {
    /** A repository with a commit and its child; returns [parent, child]. */
    function twoCommits(): [string, string] {
      const repository = join(dir, 'repository');
      mkdirSync(repository);
      const git = (...args: string[]) =>
        execFileSync('git', ['-C', repository, ...args], { encoding: 'utf8' }).trim();
      git('init', '--quiet');
      const commit = (message: string) => {
        git(
          '-c',
          'user.name=ci',
          '-c',
          'user.email=ci@example.test',
          'commit',
          '--quiet',
          '--allow-empty',
          '-m',
          message,
        );
        return git('rev-parse', 'HEAD');
      };
      env['CI_GIT_DIR'] = repository;
      return [commit('parent'), commit('child')];
    }

    it('does not replace a later commit with an earlier one', () => {
      const [parent, child] = twoCommits();
      const deploy = runStep(['deploy'], { ...env, IMAGE_TAG: parent, FAKE_RUNNING_TAG: child });
      expect(deploy.stderr).toBe('');
      expect(deploy.status).toBe(0);
      expect(deploy.stdout).toContain(
        `not deploying ${parent}: staging already runs ${child}, a later commit that contains it`,
      );
      expect(deployCalls()).toEqual([]);
    });

    it('leaves the later commit alone after such a skip: wait-stable, smoke and rollback stand down', () => {
      const [parent, child] = twoCommits();
      const later = { ...env, IMAGE_TAG: parent, FAKE_RUNNING_TAG: child };
      expect(runStep(['deploy'], later).status).toBe(0);
      expect(record('deploy-skipped')).toBe(
        `staging already runs ${child}, a later commit than ${parent}`,
      );
      const before = fakes.calls().length;
      const standsDown = `deploy deployed nothing to staging in this run (staging already runs ${child}`;
      // No SMOKE_BASE_URL and no outputs file: smoke would otherwise fail for want of one.
      const noOutputs = { SMOKE_OUTPUTS_FILE: join(dir, 'no-outputs.json') };
      for (const step of ['wait-stable', 'smoke', 'rollback']) {
        const run = runStep([step], { ...later, ...noOutputs });
        expect({ step, status: run.status, stderr: run.stderr }).toEqual({
          step,
          status: 0,
          stderr: '',
        });
        expect(run.stdout).toContain(standsDown);
      }
      // No wait, no probe, no tag and above all no redeploy of the later commit's image.
      expect(fakes.calls().slice(before)).toEqual([]);

      // The next deploy in this workspace is its own: it clears the marker, and
      // a rollback after it acts again.
      expect(
        runStep(['deploy'], { ...env, IMAGE_TAG: child, FAKE_RUNNING_TAG: parent }).status,
      ).toBe(0);
      expect(existsSync(join(dir, 'state', 'staging', 'deploy-skipped'))).toBe(false);
      expect(runStep(['rollback'], env).stdout).toContain(`rolling staging back to ${parent}`);
    });

    it('deploys a later commit over an earlier one, and one it cannot place', () => {
      const [parent, child] = twoCommits();
      expect(
        runStep(['deploy'], { ...env, IMAGE_TAG: child, FAKE_RUNNING_TAG: parent }).status,
      ).toBe(0);
      // The running tag is no commit of this checkout: nothing to compare, so it deploys.
      expect(
        runStep(['deploy'], { ...env, IMAGE_TAG: parent, FAKE_RUNNING_TAG: 'elsewhere9' }).status,
      ).toBe(0);
      expect(deployCalls()).toEqual([
        `npx nx deploy infra --configuration=staging --output-style=static -- --require-approval=never IMAGE_TAG=${child}`,
        `npx nx deploy infra --configuration=staging --output-style=static -- --require-approval=never IMAGE_TAG=${parent}`,
      ]);
    });

    it('still rolls back to an earlier commit', () => {
      const [parent, child] = twoCommits();
      expect(
        runStep(['deploy'], { ...env, IMAGE_TAG: child, FAKE_RUNNING_TAG: parent }).status,
      ).toBe(0);
      expect(runStep(['rollback'], { ...env, FAKE_RUNNING_TAG: child }).status).toBe(0);
      expect(deployCalls().at(-1)).toBe(
        `npx nx deploy infra --configuration=staging --output-style=static -- --require-approval=never IMAGE_TAG=${parent}`,
      );
    });
  });

  it('refuses to roll back without a record from deploy', () => {
    const rollback = runStep(['rollback'], env);
    expect(rollback.status).toBe(1);
    expect(rollback.stderr).toMatch(/no .*staging\/previous-image-tag: deploy writes it/);
    expect(fakes.calls()).toEqual([]);
  });
});
