import type { ContainerHardening } from './container-hardening';

/** The artifacts the parity check holds together, in table column order. */
export const SOURCES = ['compose', 'ecs', 'cloudformation', 'config', 'dockerfile'] as const;
export type SourceName = (typeof SOURCES)[number];

export const SOURCE_LABELS: Readonly<Record<SourceName, string>> = {
  compose: 'compose',
  ecs: 'ECS (CDK prod)',
  cloudformation: 'CloudFormation',
  config: 'libs/config',
  dockerfile: 'Dockerfile',
};

/** The web services built by this workspace; Chroma is a third-party image. */
export const WEB_SERVICES = ['backend', 'aiml-gateway'] as const;
export type WebService = (typeof WEB_SERVICES)[number];
export const CHROMA = 'chroma';
/** The FastAPI AI/ML container: compose's `fastapi` profile, the gateway task's sidecar in ECS. */
export const AIML_UPSTREAM = 'aiml-upstream';

/** One container as an artifact describes it, with CloudFormation intrinsics resolved. */
export interface ContainerView extends ContainerHardening {
  readonly name: string;
  readonly image?: string;
  /** Container-side ports: port mappings, published targets or EXPOSE. */
  readonly ports: readonly number[];
  /** Health-check commands (and load-balancer probe paths), as written. */
  readonly healthChecks: readonly string[];
  /** Paths the load balancer probes, for containers behind one. */
  readonly probePaths: readonly string[];
  /** Plain environment: name -> value. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Secret-delivered variables: name -> where the value comes from
   * (`docuthinker/<name>` in ECS, `.env` in compose).
   */
  readonly secrets: Readonly<Record<string, string>>;
  readonly mountPaths: readonly string[];
  readonly command: readonly string[];
}

/** A cell is a value as one source states it; `null` where the source has no say. */
export type Cell = string | null;

export interface ParityRow {
  readonly check: string;
  readonly cells: Readonly<Record<SourceName, Cell>>;
  readonly ok: boolean;
  /** What differs, in full, when the cells are abbreviated. */
  readonly detail?: string;
}

export interface ParityReport {
  readonly rows: readonly ParityRow[];
  /** Declared differences that are defects someone has to fix, printed under the table. */
  readonly knownDefects: readonly string[];
}

export function emptyCells(): Record<SourceName, Cell> {
  return { compose: null, ecs: null, cloudformation: null, config: null, dockerfile: null };
}
