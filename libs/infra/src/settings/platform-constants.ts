/**
 * Names and numbers the services and compose agree on. The ports and health
 * paths are the ones apps/backend and apps/aiml-gateway listen on.
 */
export const CLUSTER_NAME = 'docuthinker-cluster';

export const BACKEND = {
  serviceName: 'backend-service',
  containerName: 'backend',
  repositoryName: 'docuthinker-backend',
  port: 5000,
} as const;

export const GATEWAY = {
  serviceName: 'aiml-service',
  containerName: 'aiml-gateway',
  repositoryName: 'docuthinker-ai-ml',
  port: 8000,
  /** Path prefix the ALB routes to the gateway; everything else goes to the backend. */
  pathPattern: '/ai/*',
} as const;

export const AIML_UPSTREAM = {
  containerName: 'aiml-upstream',
  port: 8001,
} as const;

export const CHROMA = {
  serviceName: 'chroma-service',
  containerName: 'chroma',
  port: 8000,
  /** Service Connect DNS name the gateway dials. */
  discoveryName: 'chroma',
  dataPath: '/mnt/efs/chroma',
  /** The EFS access point forces every write to this owner, whatever the image's user is. */
  posixUid: '1000',
  posixGid: '1000',
} as const;

export const SERVICE_CONNECT_NAMESPACE = 'docuthinker.internal';

export const HEALTH_PATHS = { liveness: '/health', readiness: '/ready' } as const;

/** Non-root uid:gid of the Node images (the `node` user of the official base). */
export const APP_USER = '1000:1000';

/**
 * The services drain in-flight requests for DOCUTHINKER_DRAIN_TIMEOUT_MS
 * (25 s by default) after SIGTERM; ECS must wait longer before SIGKILL.
 */
export const STOP_TIMEOUT_SECONDS = 30;
export const DRAIN_TIMEOUT_MS = 25_000;

/**
 * How long the load balancer lets requests already sent to a target that is
 * being replaced finish before it closes their connections; ECS sends
 * SIGTERM only after that. Above the gateway's AI deadline
 * (DOCUTHINKER_AI_DEADLINE_MS, 45 s), the longest request either service
 * serves: at 30 s a deploy cut AI calls the services would have answered.
 * Targets with nothing in flight are released at once, so deploys are not slower.
 */
export const DEREGISTRATION_DELAY_SECONDS = 60;

/** Image tag placeholder for synth-only runs; the deploy path refuses it. */
export const SYNTH_ONLY_IMAGE_TAG = 'synth-only';
