export { findFreePort } from './free-port';
export { startLocalService, type LocalServiceSpec, type RunningService } from './local-service';
export { startChroma, startMoto, startRedis } from './services';
export { httpAnswers, waitUntil } from './wait-until';
export { awsTestClientConfig } from './aws-test-client';
export { exitOfServiceProcess, startServiceProcess, type ServiceProcess } from './service-process';
export { failingListenNodeOptions } from './failing-listen-preload';
export { temporaryDirectories, type TemporaryDirectories } from './temporary-directories';
export { describeServiceLifecycle, type ServiceLifecycleSpec } from './service-lifecycle-suite';
export { announceSkipped, containerRuntimeUnavailableReason } from './container-runtime';
export { CORPUS_DIR, corpusFile, corpusPath, corpusText, type CorpusTextDocument } from './corpus';
export { corpusPdfText } from './corpus-pdf-text';
export { getThrough } from './http-get';
export {
  CHROMIUM,
  CHROMIUM_LAUNCH_OPTIONS,
  chromiumAvailableFor,
  recordPageTrouble,
  type PageTrouble,
} from './headless-chromium';
