export { createServiceLogger, type Logger, type ServiceLoggerOptions } from './logger';
export {
  PROBLEM_CONTENT_TYPE,
  ProblemError,
  problemFactory,
  type ErrorCatalogueEntry,
  type ProblemDocument,
} from './problem';
export { announcesBody } from './announced-body';
export {
  holdsMoreJsonValuesThan,
  JSON_VALUE_BUDGET_REFUSAL,
  MAX_JSON_BODY_VALUES,
} from './json-value-budget';
export { JSON_CHARSET_REFUSAL, namesUtf8OrNoCharset } from './json-charset';
export { problemClientErrors } from './client-errors';
export { clientDepartureSignal } from './client-departure-signal';
export { LEAVE_HOST_CHECK_TO_LISTENER, refusingRequestsWithoutHost } from './host-header-required';
export { continueOnlyWithin } from './expect-continue';
export { refuseUnmetExpectations } from './unmet-expectation';
export { refuseConnectRequests } from './connect-refused';
export { AllowedMethods, routePathPattern, type PathMatching } from './allowed-methods';
export { HTTP_ERRORS, type HttpErrorCode } from './http-errors';
export { retryAfterFromHeaders } from './retry-after';
export { BackoffRetry } from './backoff-retry';
export { isResponseTooLarge, limitBody, ResponseTooLargeError } from './response-size-limit';
export { loggableRequest, loggableUrl } from './loggable-request';
export { CROSS_ORIGIN_POLICY, isOptionsWithoutPreflight } from './cross-origin-policy';
export { headerChangesOf, type HeaderChanges, type HeaderMiddleware } from './header-changes';
export { NOT_FOR_CACHES } from './cache-control';
export { REQUEST_ID_HEADER, requestIdFrom, TRACE_ID_HEADER } from './request-id';
export {
  isFault,
  logRequestEnd,
  responseOutcome,
  UNLOGGED_REQUEST_PATHS,
  type LoggedRequest,
  type RequestOutcome,
} from './request-log-line';
export {
  checkReadiness,
  type DependencyCheck,
  type DependencyStatus,
  type ReadinessReport,
} from './readiness';
export {
  closeHttpServer,
  installGracefulShutdown,
  stopAccepting,
  type ShutdownStep,
} from './graceful-shutdown';
export { loadConfigOrExit } from './config-exit';
export { SharedLockBusyError } from './shared-locks/shared-lock-busy-error';
export { exitWithFailure, type FailedStartOptions } from './failed-start';
export { startServiceContext, type ServiceContextOptions } from './service-context';
export { VerifiedTokenCache, type VerifiedTokenCacheOptions } from './verified-token-cache';
export { listedErrors, MAX_LISTED_ERRORS, type FieldError } from './listed-errors';
export { trustedProxies } from './trusted-proxies';
export { keepDeletedDataOffDisk, type SqliteConnection } from './deleted-data-off-disk';
export {
  databaseDiskSpaceCheck,
  freeDiskSpaceCheck,
  MIN_FREE_DISK_BYTES,
  type DiskSpaceCheck,
  type FreeBytesReader,
} from './free-disk-space';
export {
  availableMemory,
  type AvailableMemory,
  type AvailableMemoryOptions,
} from './available-memory';
