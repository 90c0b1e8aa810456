import { parse } from 'yaml';

/** One shell command line a pipeline runs, and where. */
export interface PipelineCommand {
  readonly where: string;
  readonly line: string;
}

/** An action a workflow step uses, and where. */
export interface PipelineAction {
  readonly where: string;
  readonly uses: string;
}

export interface PipelineCalls {
  readonly commands: PipelineCommand[];
  readonly actions: PipelineAction[];
  /** Groovy DSL calls that build or push images without a shell (docker-workflow plugin). */
  readonly groovyBuildCalls: string[];
}

const RUN_STEP = /^tools\/ci\/run-step ([a-z][a-z-]*)(?:\s|$)/;

/**
 * Tool set-up a pipeline may do itself, beyond checkout: installing a linter
 * the synth step calls, and the Redis and moto servers the test suites start.
 * Everything else goes through tools/ci/run-step.
 */
const TOOL_SETUP = [
  /^pipx install cfn-lint==[0-9.]+$/,
  /^sudo apt-get update -qq$/,
  /^sudo apt-get install -y --no-install-recommends redis-server$/,
  /^pipx install "moto\[server\]==[0-9.]+"$/,
];

/** Build, test, image and deploy commands that belong in a tools/ci step, never in a pipeline file. */
const INLINE_LOGIC: readonly RegExp[] = [
  /\b(docker|podman)\s+(build|buildx|push|tag|login|run)\b/,
  /\baws\s+(ecs|ecr|cloudformation|sts)\b/,
  /\bcdk\s+(deploy|synth|diff|destroy)\b/,
  /\bnpx\s+(nx|cdk|jest)\b/,
  /(^|\s)nx\s+(deploy|synth|run|run-many|affected|test|build|lint)\b/,
  /\bnpm\s+(ci|install|test|run|start)\b/,
  /\btrivy\s+(image|fs)\b/,
  /\bcurl\b/,
  /\bcfn-lint\s+-/,
];

/**
 * Actions a workflow may use: checkout, tool set-up, and handing a file from
 * one job to the next. Anything that builds or deploys is a step.
 */
const SETUP_ACTIONS = [
  'actions/checkout',
  'actions/setup-node',
  'nrwl/nx-set-shas',
  'aws-actions/configure-aws-credentials',
  'aquasecurity/setup-trivy',
  'actions/upload-artifact',
  'actions/download-artifact',
];

/**
 * Steps only GitHub runs: deploy.yml hands the images from the job that builds
 * and scans them, which holds no AWS role, to the job that pushes them. A
 * Jenkins build keeps them on its agent, and its credentials are scoped to the
 * Push stage (withCredentials).
 */
export const GITHUB_HANDOVER_STEPS: readonly string[] = ['load-images', 'save-images'];

function commandLines(where: string, script: string): PipelineCommand[] {
  return script
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => ({ where, line }));
}

/** Every `sh` script and docker DSL call of a declarative Jenkinsfile. */
export function jenkinsfileCalls(source: string): PipelineCalls {
  const withoutComments = source.replace(/^\s*\/\/.*$/gm, '');
  const commands: PipelineCommand[] = [];
  const shellStep = /\b(sh|bat|powershell)\s*\(?\s*(?:script\s*:\s*)?('''|"""|'|")([\s\S]*?)\2/g;
  for (const match of withoutComments.matchAll(shellStep)) {
    const line = withoutComments.slice(0, match.index).split('\n').length;
    commands.push(...commandLines(`Jenkinsfile:${line}`, match[3] ?? ''));
  }
  const groovyBuildCalls = [
    ...withoutComments.matchAll(/\bdocker\.(build|image|withRegistry)\s*\(/g),
  ].map((match) => match[0]);
  return { commands, actions: [], groovyBuildCalls };
}

interface WorkflowStep {
  readonly name?: string;
  readonly run?: string;
  readonly uses?: string;
}

interface Workflow {
  readonly jobs?: Record<string, { readonly steps?: WorkflowStep[]; readonly uses?: string }>;
}

/** Every `run` line and `uses` action of a GitHub Actions workflow. */
export function workflowCalls(file: string, source: string): PipelineCalls {
  const workflow = parse(source) as Workflow;
  const commands: PipelineCommand[] = [];
  const actions: PipelineAction[] = [];
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    if (job.uses) actions.push({ where: `${file} ${jobId}`, uses: job.uses });
    (job.steps ?? []).forEach((step, index) => {
      const where = `${file} ${jobId} step ${index + 1}`;
      if (step.run) commands.push(...commandLines(where, step.run));
      if (step.uses) actions.push({ where, uses: step.uses });
    });
  }
  return { commands, actions, groovyBuildCalls: [] };
}

export interface PipelineReview {
  /** tools/ci steps the pipeline runs. */
  readonly steps: Set<string>;
  /** One line per command or action that is neither a tools/ci step nor tool set-up. */
  readonly problems: string[];
}

/** The tools/ci steps a pipeline runs, and everything it does instead of a step. */
export function reviewPipeline(calls: PipelineCalls): PipelineReview {
  const steps = new Set<string>();
  const problems: string[] = [];
  for (const { where, line } of calls.commands) {
    const step = RUN_STEP.exec(line)?.[1];
    if (step) {
      steps.add(step);
    } else if (TOOL_SETUP.some((pattern) => pattern.test(line))) {
      continue;
    } else if (INLINE_LOGIC.some((pattern) => pattern.test(line))) {
      problems.push(
        `${where}: runs build/deploy logic inline (move it into a tools/ci step): ${line}`,
      );
    } else {
      problems.push(`${where}: runs something other than a tools/ci step: ${line}`);
    }
  }
  for (const { where, uses } of calls.actions) {
    const name = uses.split('@')[0] ?? uses;
    if (!SETUP_ACTIONS.includes(name)) {
      problems.push(`${where}: uses ${uses}, which is neither checkout nor tool set-up`);
    }
  }
  for (const call of calls.groovyBuildCalls) {
    problems.push(`Jenkinsfile: ${call}...) builds or pushes images outside tools/ci`);
  }
  return { steps, problems };
}

/** Steps one pipeline runs and the other does not, GitHub's hand-over steps aside. */
export function stepDifferences(
  jenkins: PipelineReview,
  github: PipelineReview,
): { onlyJenkins: string[]; onlyGitHub: string[] } {
  return {
    onlyJenkins: [...jenkins.steps].filter((step) => !github.steps.has(step)).sort(),
    onlyGitHub: [...github.steps]
      .filter((step) => !jenkins.steps.has(step) && !GITHUB_HANDOVER_STEPS.includes(step))
      .sort(),
  };
}

export function mergeCalls(...all: PipelineCalls[]): PipelineCalls {
  return {
    commands: all.flatMap((calls) => calls.commands),
    actions: all.flatMap((calls) => calls.actions),
    groovyBuildCalls: all.flatMap((calls) => calls.groovyBuildCalls),
  };
}
