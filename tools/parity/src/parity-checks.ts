import { createHash } from 'node:crypto';
import type { CfnTemplate } from './cloudformation-intrinsics';
import { loadComposeConfig } from './compose-config-load';
import type { ConfigExpectations } from './config-expectations';
import { healthCheckTarget } from './health-check-target';
import { KNOWN_DIFFERENCES, PER_DEPLOYMENT_VALUES } from './known-differences';
import {
  AIML_UPSTREAM,
  CHROMA,
  WEB_SERVICES,
  emptyCells,
  type Cell,
  type ContainerView,
  type ParityReport,
  type ParityRow,
  type SourceName,
  type WebService,
} from './parity-model';
import type { ComposeFile } from './read-compose';
import { outputValue, readTaskDefinitions } from './read-task-definitions';

export interface ParityInputs {
  readonly compose: ComposeFile;
  readonly envExample: ReadonlyMap<string, string>;
  readonly ecs: CfnTemplate;
  readonly cloudformation: CfnTemplate;
  readonly dockerfiles: Readonly<Record<WebService, ContainerView>>;
  readonly config: ConfigExpectations;
}

const MISSING = '(missing)';
/** ECS's Output holding the URL the gateway's docuthinker/chroma secret must contain. */
const CHROMA_URL_OUTPUT = 'ChromaServiceConnectUrl';

type Views = Partial<Record<SourceName, ContainerView>>;

function row(check: string, cells: Partial<Record<SourceName, Cell>>, detail?: string): ParityRow {
  const all = { ...emptyCells(), ...cells };
  const stated = Object.values(all).filter((cell): cell is string => cell !== null);
  return { check, cells: all, ok: new Set(stated).size <= 1, detail };
}

function list(values: Iterable<string | number>): string {
  const unique = [...new Set([...values].map(String))].filter(Boolean).sort();
  return unique.length > 0 ? unique.join(', ') : '(none)';
}

/** Applies `cell` to each stated view; a source without the container reads (missing). */
function perSource(views: Views, sources: SourceName[], cell: (view: ContainerView) => Cell) {
  return Object.fromEntries(
    sources.map((source) => {
      const view = views[source];
      return [source, view ? cell(view) : MISSING];
    }),
  ) as Partial<Record<SourceName, Cell>>;
}

function argumentAfter(command: readonly string[], flag: string): string[] {
  const index = command.indexOf(flag);
  const value = index >= 0 ? command[index + 1] : undefined;
  return value === undefined ? [] : [value];
}

function portsOf(view: ContainerView): string {
  return list([
    ...view.ports,
    ...(view.environment['PORT'] ? [view.environment['PORT']] : []),
    ...argumentAfter(view.command, '--port'),
    ...view.healthChecks.flatMap((check) => healthCheckTarget(check).port ?? []),
  ]);
}

function healthPathsOf(view: ContainerView): string {
  return list([
    ...view.healthChecks.flatMap((check) => healthCheckTarget(check).path ?? []),
    ...view.probePaths,
  ]);
}

function repositoryOf(image: string | undefined): Cell {
  if (image === undefined) return MISSING;
  if (image.startsWith('<parameter')) return null;
  return image.split('/').pop()?.split(':')[0] ?? image;
}

function variableNames(view: ContainerView): Set<string> {
  return new Set([...Object.keys(view.environment), ...Object.keys(view.secrets)]);
}

/**
 * Variable names compared across compose, ECS and CloudFormation. A declared
 * difference is left out where the declaration holds, and reported as
 * +NAME (unexpectedly present) or -NAME (unexpectedly absent) where it does not.
 */
function environmentNamesRow(service: WebService, views: Views): ParityRow {
  const sources: SourceName[] = ['compose', 'ecs', 'cloudformation'];
  const declared = KNOWN_DIFFERENCES.filter((difference) => difference.service === service);
  const normalised: Partial<Record<SourceName, string[]>> = {};
  for (const source of sources) {
    const view = views[source];
    if (!view) continue;
    const names = variableNames(view);
    const drift: string[] = [];
    for (const difference of declared) {
      const expected = difference.presentIn.includes(source);
      if (names.has(difference.variable) !== expected) {
        drift.push(`${expected ? '-' : '+'}${difference.variable}`);
      }
      names.delete(difference.variable);
    }
    normalised[source] = [...[...names].sort(), ...drift];
  }
  const reference = normalised.ecs ?? [];
  const cells: Partial<Record<SourceName, Cell>> = {};
  const details: string[] = [];
  for (const source of sources) {
    const names = normalised[source];
    if (!names) {
      cells[source] = MISSING;
      continue;
    }
    if (source === 'ecs') {
      cells[source] = `${names.length} names`;
      continue;
    }
    const extra = names.filter((name) => !reference.includes(name));
    const absent = reference.filter((name) => !names.includes(name));
    const difference = [...extra.map((name) => `+${name}`), ...absent.map((name) => `-${name}`)];
    cells[source] = difference.length === 0 ? `same ${names.length}` : difference.join(' ');
    if (difference.length > 0) details.push(`${source} vs ECS: ${difference.join(' ')}`);
  }
  const driftInEcs = reference.filter((name) => /^[+-]/.test(name));
  if (driftInEcs.length > 0) details.push(`ECS vs known differences: ${driftInEcs.join(' ')}`);
  const ok = details.length === 0;
  return {
    check: `${service}: environment names`,
    cells: { ...emptyCells(), ...cells },
    ok,
    detail: ok ? undefined : `${service} environment names differ: ${details.join('; ')}`,
  };
}

/**
 * Plain values (not secrets) compared with ECS's, for every variable ECS
 * sets: a compose that runs `NODE_ENV=development` or switches an index off
 * has every name right and still runs another service. Declared differences
 * are left out, as in the names row, and so are values each deployment chooses.
 */
function environmentValuesRow(service: WebService, views: Views): ParityRow {
  const declared = new Set(
    KNOWN_DIFFERENCES.filter((difference) => difference.service === service).map(
      (difference) => difference.variable,
    ),
  );
  const reference = Object.entries(views.ecs?.environment ?? {}).filter(
    ([name]) => !declared.has(name) && !PER_DEPLOYMENT_VALUES.has(name),
  );
  const cells: Partial<Record<SourceName, Cell>> = {};
  const details: string[] = [];
  for (const source of ['compose', 'ecs', 'cloudformation', 'dockerfile'] as const) {
    const view = views[source];
    if (!view) {
      cells[source] = MISSING;
      continue;
    }
    if (source === 'ecs') {
      cells[source] = `${reference.length} values`;
      continue;
    }
    const differing = reference
      .filter(([name, value]) => name in view.environment && view.environment[name] !== value)
      .map(([name, value]) => `${name}=${view.environment[name]} (ECS ${value})`);
    cells[source] = differing.length === 0 ? 'same' : differing.join(' ');
    if (differing.length > 0) details.push(`${source}: ${differing.join(', ')}`);
  }
  const ok = details.length === 0;
  return {
    check: `${service}: environment values`,
    cells: { ...emptyCells(), ...cells },
    ok,
    detail: ok ? undefined : `${service} environment values differ from ECS: ${details.join('; ')}`,
  };
}

/**
 * libs/config loads what `docker compose up` gives the container (the
 * image's ENV, compose's environment filled in from .env.example): a value
 * it refuses (a short secret, a URL of the wrong scheme) would crash-loop the
 * service, and a store variable left unset would run it on an embedded
 * default. Only the fallbacks declared as absent from compose are expected.
 */
function composeConfigRow(service: WebService, inputs: ParityInputs): ParityRow {
  const check = `${service}: libs/config loads compose's environment`;
  const raw = inputs.compose.rawEnvironments.get(service);
  if (!raw) return row(check, { compose: MISSING, config: 'loads' });
  const outcome = loadComposeConfig(
    service,
    raw,
    inputs.envExample,
    inputs.dockerfiles[service].environment,
  );
  const expectedFallbacks = new Set(
    KNOWN_DIFFERENCES.filter(
      (difference) => difference.service === service && !difference.presentIn.includes('compose'),
    ).map((difference) => difference.variable),
  );
  let cell: string;
  let detail: string | undefined;
  if (!outcome.loads) {
    cell = `refused: ${list(outcome.problems.map((problem) => problem.split(':')[0] ?? problem))}`;
    detail = `${service} refuses compose's environment: ${outcome.problems.join('; ')}`;
  } else {
    const unexpected = outcome.fallbacks.filter((variable) => !expectedFallbacks.has(variable));
    cell = unexpected.length === 0 ? 'loads' : `embedded: ${list(unexpected)}`;
    if (unexpected.length > 0) {
      detail = `${service} would run on embedded defaults for ${unexpected.join(', ')}`;
    }
  }
  return {
    check,
    cells: { ...emptyCells(), compose: cell, config: 'loads' },
    ok: cell === 'loads',
    detail,
  };
}

function namesReadRow(service: WebService, views: Views, config: ConfigExpectations): ParityRow {
  const fields = config.services[service].fieldNames;
  const cells = perSource(views, ['compose', 'ecs', 'cloudformation', 'dockerfile'], (view) => {
    const unknown = [...variableNames(view)].filter((name) => !fields.has(name));
    return unknown.length === 0 ? 'all read' : `unknown: ${unknown.sort().join(', ')}`;
  });
  const stated = Object.values(cells);
  return {
    check: `${service}: names the service reads`,
    cells: { ...emptyCells(), ...cells, config: `${fields.size} fields` },
    ok: stated.every((cell) => cell === 'all read'),
  };
}

function secretRows(service: WebService, views: Views, inputs: ParityInputs): ParityRow[] {
  const expected = inputs.config.services[service].secrets;
  const rows: ParityRow[] = [];
  for (const [secretId, variable] of expected) {
    const fromTemplate = (view: ContainerView): Cell =>
      list(
        Object.entries(view.secrets)
          .filter(([, source]) => source === secretId)
          .map(([name]) => name),
      ).replace('(none)', MISSING);
    const fromCompose = (view: ContainerView): Cell => {
      if (view.environment[variable] !== undefined) return `${variable} (hard-coded)`;
      if (view.secrets[variable] === undefined) return MISSING;
      return inputs.envExample.has(variable) ? variable : `${variable} (not in .env.example)`;
    };
    rows.push(
      row(`${service}: secret ${secretId}`, {
        config: variable,
        ...perSource(views, ['ecs', 'cloudformation'], fromTemplate),
        ...perSource(views, ['compose'], fromCompose),
      }),
    );
  }

  const unexpected = (view: ContainerView): Cell =>
    list(Object.values(view.secrets).filter((source) => !expected.has(source)));
  rows.push(
    row(`${service}: secrets outside the catalogue`, {
      ...perSource(views, ['ecs', 'cloudformation'], unexpected),
    }),
  );
  const plain = (view: ContainerView): Cell =>
    list(Object.keys(view.environment).filter((name) => inputs.config.secretVariables.has(name)));
  rows.push(
    row(`${service}: catalogue secrets as plain env`, {
      ...perSource(views, ['compose', 'ecs', 'cloudformation', 'dockerfile'], plain),
    }),
  );
  return rows;
}

/** A long command shortened for its cell; the hash keeps two different ones apart. */
function abbreviated(command: string | undefined): Cell {
  if (command === undefined) return MISSING;
  const hash = createHash('sha256').update(command).digest('hex').slice(0, 8);
  return `${command.length > 24 ? `${command.slice(0, 24)}…` : command} #${hash}`;
}

/**
 * How each artifact runs the container: as which user (compose and ECS run
 * the image's USER unless they name another), with a read-only root, how
 * long it has between SIGTERM and SIGKILL, and its health check.
 */
function hardeningRows(
  service: string,
  views: Views,
  templates: SourceName[] = ['compose', 'ecs', 'cloudformation'],
): ParityRow[] {
  const imageUser = views.dockerfile?.user ?? 'root';
  return [
    row(`${service}: user`, {
      ...perSource(views, templates, (view) => view.user ?? imageUser),
      ...perSource(views, dockerfile(views), (view) => view.user ?? 'root'),
    }),
    row(
      `${service}: read-only root`,
      perSource(views, templates, (view) => (view.readOnlyRoot ? 'yes' : 'no')),
    ),
    row(
      `${service}: stop timeout`,
      perSource(views, templates, (view) => `${view.stopTimeoutSeconds ?? '(unset)'} s`),
    ),
    row(
      `${service}: health-check command`,
      perSource(views, [...templates, ...dockerfile(views)], (view) =>
        abbreviated(view.healthCommand),
      ),
    ),
    row(
      `${service}: health-check timing`,
      perSource(
        views,
        [...templates, ...dockerfile(views)],
        (view) => view.healthTiming ?? MISSING,
      ),
    ),
  ];
}

/** The Dockerfile column, for the images built here. */
function dockerfile(views: Views): SourceName[] {
  return views.dockerfile ? ['dockerfile'] : [];
}

/**
 * The FastAPI container as compose's `fastapi` profile runs it and as the
 * gateway task's sidecar: port, health path, hardening and environment.
 * Its image is built elsewhere, so there is no Dockerfile to compare.
 */
function upstreamSidecarRows(views: Views): ParityRow[] {
  const sources: SourceName[] = ['compose', 'ecs'];
  const plain = (view: ContainerView): Cell =>
    list(Object.entries(view.environment).map(([name, value]) => `${name}=${value}`));
  return [
    row(`${AIML_UPSTREAM}: container port`, perSource(views, sources, portsOf)),
    row(`${AIML_UPSTREAM}: health path`, perSource(views, sources, healthPathsOf)),
    ...hardeningRows(AIML_UPSTREAM, views, sources).filter(
      // Compose's restart policy stands for ECS's task replacement; Docker's 10 s grace is not set.
      (check) => !check.check.endsWith('stop timeout'),
    ),
    row(`${AIML_UPSTREAM}: environment`, perSource(views, sources, plain)),
  ];
}

function webServiceRows(service: WebService, inputs: ParityInputs, views: Views): ParityRow[] {
  const templates: SourceName[] = ['compose', 'ecs', 'cloudformation'];
  const rows: ParityRow[] = [
    row(
      `${service}: image repository`,
      perSource(views, templates, (view) => repositoryOf(view.image)),
    ),
    row(`${service}: container port`, {
      ...perSource(views, [...templates, 'dockerfile'], portsOf),
      config: String(inputs.config.services[service].defaultPort),
    }),
    row(`${service}: health path`, perSource(views, [...templates, 'dockerfile'], healthPathsOf)),
    ...hardeningRows(service, views),
    environmentNamesRow(service, views),
    environmentValuesRow(service, views),
    namesReadRow(service, views, inputs.config),
    composeConfigRow(service, inputs),
    ...secretRows(service, views, inputs),
  ];
  if (service === 'backend') {
    rows.push(
      row(
        'backend: DOCUTHINKER_AIML_URL',
        perSource(views, templates, (view) => view.environment['DOCUTHINKER_AIML_URL'] ?? MISSING),
      ),
    );
  }
  return rows;
}

function chromaRows(inputs: ParityInputs, views: Views): ParityRow[] {
  const sources: SourceName[] = ['compose', 'ecs'];
  const dataPaths = (view: ContainerView): Cell =>
    list([
      ...view.mountPaths.filter((path) => path !== '/tmp'),
      ...argumentAfter(view.command, '--path'),
    ]);
  return [
    row(
      'chroma: image',
      perSource(views, sources, (view) => view.image ?? MISSING),
    ),
    row('chroma: container port', perSource(views, sources, portsOf)),
    row(
      'chroma: read-only root',
      perSource(views, sources, (view) => (view.readOnlyRoot ? 'yes' : 'no')),
    ),
    row('chroma: data mount path', {
      ...perSource(views, sources, dataPaths),
      config: inputs.config.productionChromaDir,
    }),
    row(
      'chroma: health check',
      perSource(views, sources, (view) => view.healthChecks[0] ?? MISSING),
    ),
    row('chroma: URL the gateway dials', {
      compose: inputs.envExample.get('DOCUTHINKER_CHROMA_URL') ?? MISSING,
      ecs: outputValue(inputs.ecs, CHROMA_URL_OUTPUT) ?? MISSING,
    }),
  ];
}

/**
 * The gateway's Neo4j URI (its docuthinker/neo4j secret) carries the
 * password in its user info, and the local neo4j container takes its own
 * from NEO4J_PASSWORD: .env.example must give both the same, or the gateway's
 * login is refused and it stops at start. No password is printed.
 */
function neo4jPasswordRow(envExample: ReadonlyMap<string, string>): ParityRow {
  const uri = envExample.get('DOCUTHINKER_NEO4J_URI');
  const password = envExample.get('NEO4J_PASSWORD');
  let dialled: string | undefined;
  try {
    dialled = uri ? decodeURIComponent(new URL(uri).password) : undefined;
  } catch {
    dialled = undefined;
  }
  const same = dialled !== undefined && dialled === password;
  return {
    check: "neo4j: the gateway's password (.env.example)",
    cells: {
      ...emptyCells(),
      compose: same
        ? 'DOCUTHINKER_NEO4J_URI = NEO4J_PASSWORD'
        : 'DOCUTHINKER_NEO4J_URI ≠ NEO4J_PASSWORD',
    },
    ok: same,
    detail: same
      ? undefined
      : '.env.example: the password in DOCUTHINKER_NEO4J_URI must equal NEO4J_PASSWORD',
  };
}

/** Compares every artifact against the others; one row per fact. */
export function checkParity(inputs: ParityInputs): ParityReport {
  const ecs = readTaskDefinitions(inputs.ecs);
  const cloudformation = readTaskDefinitions(inputs.cloudformation);
  const compose = inputs.compose.containers;
  const platform = [...WEB_SERVICES, CHROMA];

  const present = (containers: ReadonlyMap<string, ContainerView>, names: string[]) =>
    list(names.filter((name) => containers.has(name)));
  const rows: ParityRow[] = [
    {
      check: 'service containers',
      cells: {
        ...emptyCells(),
        compose: present(compose, platform),
        ecs: present(ecs, platform),
        cloudformation: present(cloudformation, [...WEB_SERVICES]),
      },
      ok:
        platform.every((name) => compose.has(name) && ecs.has(name)) &&
        WEB_SERVICES.every((name) => cloudformation.has(name)),
    },
  ];
  for (const service of WEB_SERVICES) {
    rows.push(
      ...webServiceRows(service, inputs, {
        compose: compose.get(service),
        ecs: ecs.get(service),
        cloudformation: cloudformation.get(service),
        dockerfile: inputs.dockerfiles[service],
      }),
    );
  }
  rows.push(...chromaRows(inputs, { compose: compose.get(CHROMA), ecs: ecs.get(CHROMA) }));
  rows.push(
    ...upstreamSidecarRows({ compose: compose.get(AIML_UPSTREAM), ecs: ecs.get(AIML_UPSTREAM) }),
  );
  rows.push(neo4jPasswordRow(inputs.envExample));

  const knownDefects = KNOWN_DIFFERENCES.flatMap((difference) =>
    difference.defect ? [`${difference.service} ${difference.variable}: ${difference.defect}`] : [],
  );
  return { rows, knownDefects };
}
