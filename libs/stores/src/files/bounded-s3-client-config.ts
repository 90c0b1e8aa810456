import type { S3ClientConfig } from '@aws-sdk/client-s3';

export interface S3Timeouts {
  /** Until the TCP (and TLS) connection is up. */
  readonly connectionTimeout: number;
  /** From sending the request, its body included, to the answer's headers. */
  readonly requestTimeout: number;
  /** The longest silence on a connection that owes an answer. */
  readonly socketTimeout: number;
}

/**
 * The SDK waits for ever by default: no connect, request or socket timeout.
 * An S3 endpoint that accepts connections and never answers then held every
 * upload until the client gave up, and each `/ready` probe left one socket
 * hung, until all 50 of the pool's were and S3 calls hung even after S3
 * recovered. A request's 60 s are room for the largest upload (25 MiB) at
 * about 3.5 Mbit/s; downloads are signed URLs, so no user reads through these
 * sockets. They bound each attempt only, and the SDK makes three: a put has
 * its own deadline across them all (file-put-deadline.ts), and a delete too.
 */
export const S3_TIMEOUTS: S3Timeouts = {
  connectionTimeout: 3_000,
  requestTimeout: 60_000,
  socketTimeout: 30_000,
};

/** `config` with timeouts on every call (its own `requestHandler`, if it has one, wins). */
export function boundedS3ClientConfig(
  config: S3ClientConfig = {},
  timeouts: S3Timeouts = S3_TIMEOUTS,
): S3ClientConfig {
  // Without throwOnRequestTimeout the SDK only logs a warning when requestTimeout passes.
  return { requestHandler: { ...timeouts, throwOnRequestTimeout: true }, ...config };
}
