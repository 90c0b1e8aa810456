export { findFreePort } from './free-port';
export { startLocalService, type LocalServiceSpec, type RunningService } from './local-service';
export { startChroma, startMoto, startRedis } from './services';
export { httpAnswers, waitUntil } from './wait-until';
export { awsTestClientConfig } from './aws-test-client';
export { startServiceProcess, type ServiceProcess } from './service-process';
export { describeServiceLifecycle, type ServiceLifecycleSpec } from './service-lifecycle-suite';
export { announceSkipped, containerRuntimeUnavailableReason } from './container-runtime';
export { CORPUS_DIR, corpusFile, corpusPath, corpusText, type CorpusTextDocument } from './corpus';
