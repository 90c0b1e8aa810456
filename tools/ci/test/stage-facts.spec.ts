import { spawnSync } from 'node:child_process';
import {
  clusterNameFor,
  DEPLOYED_IMAGES_KEPT,
  REGISTRY_STACK_NAME,
  STAGE_NAMES,
  STAGE_SETTINGS,
  STAGES_KEEPING_IMAGES,
  stackNameFor,
} from '@docuthinker/infra';
import { readWorkspaceFile, WORKSPACE_ROOT } from './support/workspace-files';

/** What tools/ci/lib/stage-facts.sh says, one "kind key value" line per fact. */
function bashFacts(): string[] {
  const script = `
    source tools/ci/lib/common.sh
    source tools/ci/lib/stage-facts.sh
    for stage in "\${CI_STAGES[@]}"; do
      echo "region $stage $(ci_stage_region "$stage")"
      echo "cluster $stage $(ci_stage_cluster "$stage")"
      echo "stack $stage $(ci_stage_platform_stack "$stage")"
      echo "stacks $stage $(ci_stage_stacks "$stage" | tr '\\n' ' ')"
    done
    for service in "\${CI_SERVICES[@]}"; do echo "service $service \${CI_SERVICE_CONTAINERS[$service]:--}"; done
    for project in "\${CI_IMAGE_PROJECTS[@]}"; do echo "repository $project \${CI_IMAGE_REPOSITORIES[$project]}"; done
    echo "registry-region - $CI_IMAGE_REGISTRY_REGION"
    echo "deployed-images-kept - $CI_DEPLOYED_IMAGES_KEPT"
    echo "stages-keeping-images - \${CI_STAGES_KEEPING_IMAGES[*]}"
  `;
  const run = spawnSync('bash', ['-c', script], { cwd: WORKSPACE_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return run.stdout.trim().split('\n');
}

/**
 * The service, container and repository names of platform-constants.ts.
 * libs/infra's index does not export them, and a deep import would cross the
 * project boundary, so the test reads the source.
 */
function platformConstant(name: 'BACKEND' | 'GATEWAY' | 'CHROMA', field: string): string {
  const source = readWorkspaceFile('libs/infra/src/settings/platform-constants.ts');
  const block = new RegExp(`export const ${name} = \\{([\\s\\S]*?)\\} as const;`).exec(source)?.[1];
  const value = block && new RegExp(`${field}: '([^']+)'`).exec(block)?.[1];
  if (!value) throw new Error(`platform-constants.ts has no ${name}.${field}`);
  return value;
}

describe('tools/ci stage facts match libs/infra', () => {
  const facts = bashFacts();

  it.each(STAGE_NAMES)('knows the region, cluster and platform stack of %s', (stage) => {
    expect(facts).toContain(`region ${stage} ${STAGE_SETTINGS[stage].region}`);
    expect(facts).toContain(`cluster ${stage} ${clusterNameFor(stage)}`);
    expect(facts).toContain(`stack ${stage} ${stackNameFor(stage, 'Platform')}`);
  });

  it.each(STAGE_NAMES)('settles every stack deploy updates for %s, in its order', (stage) => {
    // As stacks/build-stage.ts adds them, each after the one it depends on.
    const stacks = [
      ...(STAGE_SETTINGS[stage].ownsImageRepositories ? [REGISTRY_STACK_NAME] : []),
      stackNameFor(stage, 'Network'),
      stackNameFor(stage, 'Platform'),
    ];
    expect(facts).toContain(`stacks ${stage} ${stacks.join(' ')} `);
  });

  it('knows every stage and no other', () => {
    const stages = facts
      .filter((fact) => fact.startsWith('region '))
      .map((fact) => fact.split(' ')[1]);
    expect(stages).toEqual([...STAGE_NAMES]);
  });

  it('waits for every service and reads the image of the right container', () => {
    expect(facts.filter((fact) => fact.startsWith('service ')).sort()).toEqual(
      [
        `service ${platformConstant('BACKEND', 'serviceName')} ${platformConstant('BACKEND', 'containerName')}`,
        `service ${platformConstant('GATEWAY', 'serviceName')} ${platformConstant('GATEWAY', 'containerName')}`,
        `service ${platformConstant('CHROMA', 'serviceName')} -`,
      ].sort(),
    );
  });

  it("keeps as many of each stage's images tagged as the lifecycle rules expect, for the same stages", () => {
    expect(facts).toContain(`deployed-images-kept - ${DEPLOYED_IMAGES_KEPT}`);
    expect(facts).toContain(`stages-keeping-images - ${STAGES_KEEPING_IMAGES.join(' ')}`);
  });

  it('pushes each image to the repository the stacks pull from, in the owning stage region', () => {
    expect(facts).toContain(`repository backend ${platformConstant('BACKEND', 'repositoryName')}`);
    expect(facts).toContain(
      `repository aiml-gateway ${platformConstant('GATEWAY', 'repositoryName')}`,
    );
    const owner = Object.values(STAGE_SETTINGS).find((settings) => settings.ownsImageRepositories);
    expect(facts).toContain(`registry-region - ${owner?.region}`);
  });

  it.each([
    ['backend', 'docuthinker-backend'],
    ['aiml-gateway', 'docuthinker-ai-ml'],
  ])('builds %s with its docker-build target, tagged for %s', (project, repository) => {
    const config = JSON.parse(readWorkspaceFile(`apps/${project}/project.json`)) as {
      name: string;
      targets: Record<string, { options?: { command?: string } }>;
    };
    expect(config.name).toBe(project);
    expect(config.targets['docker-build']?.options?.command).toContain(` ${repository}`);
  });
});
