import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { buffer as collectStream } from 'node:stream/consumers';
import type { FileStore, PutFileOptions, SignedUrlOptions, StoredFile } from '../ports/file-store';
import { probeHealth, type HealthReport } from '../shared/health';
import { assertSafeFileKey, assertSafeFilePrefix, attachmentDisposition } from './file-key';
import { putDeadlineMs } from './file-put-deadline';

function isNoSuchKey(error: unknown): boolean {
  const name =
    typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : '';
  return name === 'NoSuchKey' || name === 'NotFound';
}

/**
 * How long one delete (or one listing page of a prefix's removal) may take,
 * all attempts together; a page's batch delete gets three times as long. An
 * account erasure against a hung S3 then answers 503 within seconds instead of
 * holding the request for three socket timeouts. The removal of a
 * failed upload's file runs in the background: against a hung S3 each would
 * otherwise hold a pooled socket for three socket timeouts (about 90 s), and
 * the puts and readiness probes after them would queue behind those sockets.
 */
export const S3_DELETE_DEADLINE_MS = 10_000;

export interface S3FileStoreOptions {
  /** Objects listed per request when deleting a prefix (S3's maximum is 1000). */
  readonly listPageSize?: number;
  /** The put's deadline across all attempts; putDeadlineMs(its size) unless a test asks for its own. */
  readonly putDeadlineMs?: number;
  /** The delete's deadline across all attempts; S3_DELETE_DEADLINE_MS unless a test asks. */
  readonly deleteDeadlineMs?: number;
}

/**
 * What a put that ran out of time throws: its message says what happened,
 * where the SDK's says only "Request aborted". A write S3 received before the
 * deadline may still be stored after it.
 */
export class S3PutDeadlineError extends Error {
  override readonly name = 'S3PutDeadlineError';
  constructor(key: string, deadlineMs: number, cause: unknown) {
    super(`S3 did not store ${key} within ${deadlineMs} ms`, { cause });
  }
}

/**
 * HeadBucket's answers have no body, so the SDK's error says "UnknownError";
 * the status says what is wrong, in words `/ready` can show.
 */
function describeBucketFailure(error: unknown, bucket: string): unknown {
  const status = (error as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata
    ?.httpStatusCode;
  if (status === 404) return new Error(`bucket ${bucket} does not exist`, { cause: error });
  if (status === 403) return new Error(`access denied to bucket ${bucket}`, { cause: error });
  return error;
}

/** Original files in an S3 bucket. A PutObject is atomic: readers never see a partial object. */
export class S3FileStore implements FileStore {
  private readonly listPageSize: number;
  private readonly putDeadlineMs: number | undefined;
  private readonly deleteDeadlineMs: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3FileStoreOptions = {},
  ) {
    this.listPageSize = options.listPageSize ?? 1000;
    this.putDeadlineMs = options.putDeadlineMs;
    this.deleteDeadlineMs = options.deleteDeadlineMs ?? S3_DELETE_DEADLINE_MS;
  }

  async put(
    key: string,
    body: Buffer | Readable,
    options: PutFileOptions = {},
  ): Promise<{ size: number }> {
    assertSafeFileKey(key);
    // PutObject needs the length up front. Uploads are bounded by the
    // service's size limit, so a stream is collected rather than sent as a
    // multipart upload; a stream that fails part-way then never reaches S3.
    const bytes = Buffer.isBuffer(body) ? body : await collectStream(body);
    // One signal for the whole call: the SDK does not retry an aborted
    // request, so the deadline ends the put, however many attempts it took.
    const deadlineMs = this.putDeadlineMs ?? putDeadlineMs(bytes.length);
    const abortSignal = AbortSignal.timeout(deadlineMs);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          ...(options.contentType !== undefined && { ContentType: options.contentType }),
        }),
        { abortSignal },
      );
    } catch (error) {
      if (abortSignal.aborted) throw new S3PutDeadlineError(key, deadlineMs, error);
      throw error;
    }
    return { size: bytes.length };
  }

  async get(key: string): Promise<StoredFile | null> {
    assertSafeFileKey(key);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      if (!(response.Body instanceof Readable)) {
        throw new Error('the S3 client returned a non-Node stream body');
      }
      return {
        body: response.Body,
        size: response.ContentLength ?? 0,
        ...(response.ContentType !== undefined && { contentType: response.ContentType }),
      };
    } catch (error) {
      if (isNoSuchKey(error)) return null;
      throw error;
    }
  }

  async getBuffer(key: string): Promise<Buffer | null> {
    const file = await this.get(key);
    return file ? collectStream(file.body) : null;
  }

  async delete(key: string): Promise<void> {
    assertSafeFileKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
      abortSignal: AbortSignal.timeout(this.deleteDeadlineMs),
    });
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertSafeFilePrefix(prefix);
    let deleted = 0;
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: this.listPageSize,
          ContinuationToken: continuationToken,
        }),
        { abortSignal: AbortSignal.timeout(this.deleteDeadlineMs) },
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      if (keys.length > 0) {
        const result = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
          // A page of up to 1,000 keys: a few seconds on a healthy S3.
          { abortSignal: AbortSignal.timeout(this.deleteDeadlineMs * 3) },
        );
        if (result.Errors && result.Errors.length > 0) {
          throw new Error(
            `S3 refused to delete ${result.Errors.length} object(s) under the prefix: ${result.Errors[0]?.Code}`,
          );
        }
        deleted += keys.length;
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
    return deleted;
  }

  async signedDownloadUrl(key: string, options: SignedUrlOptions): Promise<string> {
    assertSafeFileKey(key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ...(options.contentType !== undefined && { ResponseContentType: options.contentType }),
      ...(options.downloadName !== undefined && {
        ResponseContentDisposition: attachmentDisposition(options.downloadName),
      }),
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds });
  }

  health(): Promise<HealthReport> {
    return probeHealth('s3', async (abortSignal) => {
      try {
        await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal });
      } catch (error) {
        throw describeBucketFailure(error, this.bucket);
      }
    });
  }
}
