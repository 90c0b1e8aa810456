import type { SourceName, WebService } from './parity-model';

/**
 * Variables that deliberately appear in some artifacts only. Each entry names
 * exactly where the variable is present; the parity check fails when reality
 * drifts from the entry either way, so a fixed difference cannot linger here.
 */
export interface KnownDifference {
  readonly service: WebService;
  readonly variable: string;
  readonly presentIn: readonly SourceName[];
  readonly reason: string;
  /** A gap someone has to close, printed under the table on every run. */
  readonly defect?: string;
}

export const KNOWN_DIFFERENCES: readonly KnownDifference[] = [
  {
    service: 'backend',
    variable: 'DOCUTHINKER_DOCUMENTS_BUCKET',
    presentIn: ['ecs', 'cloudformation'],
    reason: 'compose keeps original files on the backend data volume; there is no S3 locally',
  },
  {
    service: 'backend',
    variable: 'DOCUTHINKER_ALLOW_EMBEDDED',
    presentIn: ['compose'],
    reason:
      "allows that local directory for originals in production mode, and .env.example's placeholder secrets",
  },
  {
    service: 'aiml-gateway',
    variable: 'DOCUTHINKER_ALLOW_EMBEDDED',
    presentIn: ['compose'],
    reason: ".env.example's placeholder secrets pass on a laptop; production refuses them",
  },
  {
    service: 'aiml-gateway',
    variable: 'DOCUTHINKER_AI_PROVIDERS',
    presentIn: ['compose'],
    reason: 'lets a laptop without LLM keys run on the offline engine (.env.example sets local)',
  },
  {
    service: 'aiml-gateway',
    variable: 'DOCUTHINKER_AIML_UPSTREAM_URL',
    presentIn: ['compose', 'ecs'],
    reason:
      'compose always passes it (blank unless the fastapi profile runs); ECS sets it when a FastAPI sidecar image is configured (the parity synth configures one); the raw template has no sidecar',
  },
];

/**
 * Variables every artifact passes, each with the value its deployment
 * chooses (the origins of a stage's browser front end; blank on a laptop and
 * by default in the raw template): their names are compared, their values not.
 */
export const PER_DEPLOYMENT_VALUES: ReadonlySet<string> = new Set(['DOCUTHINKER_CORS_ORIGINS']);
