/**
 * Everything that differs between stages lives here, typed, so a reviewer can
 * compare dev/staging/prod/dr side by side and a test can assert the differences.
 */
export const STAGE_NAMES = ['dev', 'staging', 'prod', 'dr'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export interface ServiceScaling {
  /** Floor of the autoscaling range; also the count a fresh service starts towards. */
  readonly desiredCount: number;
  readonly maxCount: number;
}

export interface TaskSize {
  /** Fargate CPU units (512 = 0.5 vCPU). */
  readonly cpu: number;
  /** MiB; must be a valid pairing with `cpu` for Fargate. */
  readonly memoryMiB: number;
}

/** HTTPS on the ALB: a certificate ARN, or a domain whose certificate CDK requests via DNS. */
export interface HttpsSettings {
  readonly domainName: string;
  readonly certificateArn?: string;
  /** A public hosted zone for DNS validation and the alias/failover record. */
  readonly hostedZone?: { readonly zoneName: string; readonly hostedZoneId: string };
}

export interface StageSettings {
  readonly stage: StageName;
  readonly region: string;
  /** Exactly two; the VPC's subnet layout is per AZ. */
  readonly availabilityZones: readonly [string, string];
  readonly natGateways: 1 | 2;
  readonly vpcEndpoints: boolean;
  readonly logRetentionDays: 7 | 30;
  readonly taskSize: TaskSize;
  readonly backend: ServiceScaling;
  readonly gateway: ServiceScaling;
  /** ECS Exec opens a shell into running tasks: useful to debug, never in prod. */
  readonly enableExecuteCommand: boolean;
  /** Spot tasks can be reclaimed with two minutes' notice: acceptable outside prod only. */
  readonly allowFargateSpot: boolean;
  /** The stage that owns the ECR repositories creates them; the others import them by name. */
  readonly ownsImageRepositories: boolean;
  /** The DR region: receives replicas of the images and of the generated secrets. */
  readonly replicateTo?: string;
  /**
   * The stage whose documents bucket holds this one's replicas, and which
   * replicates its own back here (prod and dr): originals uploaded on either
   * side are there after a failover and after the failback.
   */
  readonly documentsPeer?: StageName;
  /**
   * Replicate the documents bucket to the peer's. Off in the committed
   * settings, because S3 refuses a rule whose destination bucket does not exist
   * yet and a fresh account gets prod before dr; a deployment turns it on with
   * `-c replicateDocuments=true` (DOCUTHINKER_<STAGE>_REPLICATE_DOCUMENTS) once
   * both stages have been deployed.
   */
  readonly replicateDocuments: boolean;
  /**
   * Generate the values the platform can make itself (JWT key, service token).
   * DR reads prod's replicas instead, so tokens issued in prod stay valid after a failover.
   */
  readonly generatesPlatformSecrets: boolean;
  readonly https?: HttpsSettings;
  /**
   * Deploys and diffs are refused without HTTPS settings (committed, or from
   * the pipeline's DOCUTHINKER_<STAGE>_DOMAIN_NAME and certificate variables).
   */
  readonly requiresHttps: boolean;
  /**
   * The `cdk bootstrap --qualifier` of this stage's bootstrap roles and
   * assets. One per stage, so the pipeline role of one stage (allowed to
   * assume only its own stage's bootstrap roles) can never deploy another
   * stage's stacks, although dev, staging and prod share an account and region.
   */
  readonly cdkQualifier: string;
  readonly wafEnabled: boolean;
  readonly tracing: 'none' | 'xray';
  /** Route 53 failover role of this stage's ALB record (needs `https.hostedZone`). */
  readonly dnsFailoverRole?: 'PRIMARY' | 'SECONDARY';
  /** FastAPI AI/ML image (repository:tag); when set it runs as a sidecar of the gateway on 8001. */
  readonly aimlUpstreamImage?: string;
  /** Chroma server image, pinned; Chroma is the one image not built by this workspace. */
  readonly chromaImage: string;
  /** Whether stateful resources (EFS, log buckets, generated secrets) survive a stack delete. */
  readonly retainData: boolean;
  /**
   * Browser origins allowed to call the backend and the gateway's /ai/*
   * across origins (their DOCUTHINKER_CORS_ORIGINS), written as browsers send them, e.g.
   * https://app.example.com. None by default: a deployment gives its front
   * end's with `-c corsOrigins=…` (DOCUTHINKER_<STAGE>_CORS_ORIGINS).
   */
  readonly corsOrigins?: readonly string[];
  /** E-mail that receives alarm notifications, if any. */
  readonly alarmEmail?: string;
  /**
   * Deploys and diffs are refused without an alarm e-mail (committed, or from
   * the pipeline's DOCUTHINKER_<STAGE>_ALARM_EMAIL): an outage must page someone.
   */
  readonly requiresAlarmEmail: boolean;
}

const SEED_TASK_SIZE: TaskSize = { cpu: 512, memoryMiB: 1024 };
const CHROMA_IMAGE = 'chromadb/chroma:1.0.20';

export const STAGE_SETTINGS: Readonly<Record<StageName, StageSettings>> = Object.freeze({
  dev: {
    stage: 'dev',
    requiresHttps: false,
    requiresAlarmEmail: false,
    cdkQualifier: 'dtdev',
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    natGateways: 1,
    vpcEndpoints: false,
    logRetentionDays: 7,
    taskSize: SEED_TASK_SIZE,
    backend: { desiredCount: 1, maxCount: 2 },
    gateway: { desiredCount: 1, maxCount: 2 },
    enableExecuteCommand: true,
    allowFargateSpot: true,
    ownsImageRepositories: false,
    generatesPlatformSecrets: true,
    replicateDocuments: false,
    wafEnabled: false,
    tracing: 'none',
    chromaImage: CHROMA_IMAGE,
    retainData: false,
  },
  staging: {
    stage: 'staging',
    requiresHttps: true,
    requiresAlarmEmail: false,
    cdkQualifier: 'dtstaging',
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    natGateways: 1,
    vpcEndpoints: true,
    logRetentionDays: 7,
    taskSize: SEED_TASK_SIZE,
    backend: { desiredCount: 2, maxCount: 4 },
    gateway: { desiredCount: 2, maxCount: 4 },
    enableExecuteCommand: true,
    allowFargateSpot: true,
    ownsImageRepositories: false,
    generatesPlatformSecrets: true,
    replicateDocuments: false,
    wafEnabled: true,
    tracing: 'xray',
    chromaImage: CHROMA_IMAGE,
    retainData: false,
  },
  prod: {
    stage: 'prod',
    requiresHttps: true,
    requiresAlarmEmail: true,
    cdkQualifier: 'dtprod',
    region: 'us-east-1',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    natGateways: 2,
    vpcEndpoints: true,
    logRetentionDays: 30,
    taskSize: SEED_TASK_SIZE,
    backend: { desiredCount: 2, maxCount: 10 },
    gateway: { desiredCount: 2, maxCount: 10 },
    enableExecuteCommand: false,
    allowFargateSpot: false,
    ownsImageRepositories: true,
    generatesPlatformSecrets: true,
    documentsPeer: 'dr',
    replicateDocuments: false,
    replicateTo: 'us-west-2',
    wafEnabled: true,
    tracing: 'xray',
    dnsFailoverRole: 'PRIMARY',
    chromaImage: CHROMA_IMAGE,
    retainData: true,
  },
  dr: {
    stage: 'dr',
    requiresHttps: true,
    // After a failover dr serves production traffic, and its alarms must page someone as prod's do.
    requiresAlarmEmail: true,
    cdkQualifier: 'dtdr',
    region: 'us-west-2',
    availabilityZones: ['us-west-2a', 'us-west-2b'],
    natGateways: 2,
    vpcEndpoints: true,
    logRetentionDays: 30,
    taskSize: SEED_TASK_SIZE,
    // Warm standby: the floor is small, the ceiling is prod's so a failover can absorb the load.
    backend: { desiredCount: 1, maxCount: 10 },
    gateway: { desiredCount: 1, maxCount: 10 },
    enableExecuteCommand: false,
    allowFargateSpot: false,
    ownsImageRepositories: false,
    generatesPlatformSecrets: false,
    documentsPeer: 'prod',
    replicateDocuments: false,
    wafEnabled: true,
    tracing: 'xray',
    dnsFailoverRole: 'SECONDARY',
    chromaImage: CHROMA_IMAGE,
    retainData: true,
  },
});

export function isStageName(value: unknown): value is StageName {
  return typeof value === 'string' && (STAGE_NAMES as readonly string[]).includes(value);
}

/** Settings for a stage, with overrides applied (tests and one-off deploys use them). */
export function settingsFor(
  stage: StageName,
  overrides: Partial<StageSettings> = {},
): StageSettings {
  return { ...STAGE_SETTINGS[stage], ...overrides, stage };
}
