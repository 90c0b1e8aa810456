import {
  GITHUB_HANDOVER_STEPS,
  jenkinsfileCalls,
  mergeCalls,
  reviewPipeline,
  stepDifferences,
  workflowCalls,
} from './support/pipeline-commands';
import { readWorkspaceFile, stepNames, WORKFLOW_FILES } from './support/workspace-files';

const jenkins = reviewPipeline(jenkinsfileCalls(readWorkspaceFile('Jenkinsfile')));
const github = reviewPipeline(
  mergeCalls(...WORKFLOW_FILES.map((file) => workflowCalls(file, readWorkspaceFile(file)))),
);

describe('Jenkins and GitHub Actions run the same tools/ci steps', () => {
  it('runs nothing in the Jenkinsfile but tools/ci steps', () => {
    expect(jenkins.problems).toEqual([]);
  });

  it('runs nothing in the workflows but tools/ci steps, checkout and tool set-up', () => {
    expect(github.problems).toEqual([]);
  });

  it('runs the same steps in both pipelines', () => {
    expect(stepDifferences(jenkins, github)).toEqual({ onlyJenkins: [], onlyGitHub: [] });
  });

  it('runs every step tools/ci has, and only those', () => {
    expect([...jenkins.steps, ...GITHUB_HANDOVER_STEPS].sort()).toEqual(stepNames());
    for (const step of GITHUB_HANDOVER_STEPS) expect(github.steps.has(step)).toBe(true);
  });
});

describe('the parity check is live', () => {
  const cleanWorkflow = `
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - run: tools/ci/run-step build-images
`;

  it.each([
    ['docker build', "sh 'docker build -t docuthinker-backend .'", /inline.*docker build/],
    ['aws ecs', 'sh "aws ecs update-service --cluster c --service s"', /inline.*aws ecs/],
    [
      'nx deploy in a multi-line script',
      "sh '''\n  tools/ci/run-step install\n  npx nx deploy infra --configuration=prod\n'''",
      /inline.*npx nx deploy/,
    ],
    ['cdk deploy', "sh 'cdk deploy --all'", /inline.*cdk deploy/],
    ['an unknown command', "sh 'make release'", /other than a tools\/ci step: make release/],
    ['the docker DSL', "script { docker.build('docuthinker-backend') }", /docker\.build\(/],
  ])('flags %s in a Jenkinsfile', (_label, body, problem) => {
    const review = reviewPipeline(
      jenkinsfileCalls(`pipeline { stages { stage('x') { steps { ${body} } } } }`),
    );
    expect(review.problems.join('\n')).toMatch(problem);
  });

  it.each([
    ['nx deploy', '      - run: npx nx deploy infra --configuration=prod', /inline.*npx nx deploy/],
    [
      'an ECR login in a block script',
      '      - run: |\n          aws ecr get-login-password | docker login --password-stdin x',
      /inline.*aws ecr/,
    ],
    [
      'a deploy action',
      '      - uses: aws-actions/amazon-ecs-deploy-task-definition@v2',
      /uses aws-actions\/amazon-ecs-deploy-task-definition/,
    ],
    [
      'an image build action',
      '      - uses: docker/build-push-action@v6',
      /uses docker\/build-push-action/,
    ],
  ])('flags %s in a workflow', (_label, step, problem) => {
    const review = reviewPipeline(workflowCalls('bad.yml', `${cleanWorkflow}${step}\n`));
    expect(review.problems.join('\n')).toMatch(problem);
  });

  it('accepts a step with options and tool set-up, and reports which steps run', () => {
    const review = reviewPipeline(
      workflowCalls(
        'good.yml',
        `${cleanWorkflow}      - run: pipx install cfn-lint==1.51.0\n      - run: tools/ci/run-step verify --targets "$TARGETS"\n`,
      ),
    );
    expect(review.problems).toEqual([]);
    expect([...review.steps].sort()).toEqual(['build-images', 'verify']);
  });

  it('notices a step only one pipeline runs', () => {
    const jenkinsWithSmokeOnly = reviewPipeline(
      jenkinsfileCalls(
        "pipeline { stages { stage('x') { steps { sh 'tools/ci/run-step smoke' } } } }",
      ),
    );
    const githubWithBuildOnly = reviewPipeline(workflowCalls('ci.yml', cleanWorkflow));
    expect(stepDifferences(jenkinsWithSmokeOnly, githubWithBuildOnly)).toEqual({
      onlyJenkins: ['smoke'],
      onlyGitHub: ['build-images'],
    });
  });
});
