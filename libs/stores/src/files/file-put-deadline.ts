/**
 * How long a file store's put may take, all of the S3 SDK's attempts
 * together: a base for the exchange itself, plus the file's bytes at the
 * slowest throughput worth waiting for. Without a deadline a hung S3 held an
 * upload for three attempts, each ended only by the socket timeout (about
 * 90 s, most of the public load balancer's 120 s idle timeout), and with one
 * the user is told at once. The default upload limit (25 MiB) gets 45 s:
 * room for about 4.7 Mbit/s, far slower than a link to S3 from inside AWS,
 * and, with the upload's extraction (20 s at the most by default) before it,
 * an answer well before the load balancer gives up. A platform that raises
 * the upload limit gets a longer deadline with it, not uploads refused as
 * outages by a healthy S3.
 */
export const PUT_DEADLINE_BASE_MS = 20_000;
/** 1 MiB/s, about 8 Mbit/s. */
export const PUT_SLOWEST_BYTES_PER_SECOND = 1024 * 1024;

/** The deadline of a put of `bytes` bytes (see PUT_DEADLINE_BASE_MS). */
export function putDeadlineMs(bytes: number): number {
  return PUT_DEADLINE_BASE_MS + Math.ceil((bytes / PUT_SLOWEST_BYTES_PER_SECOND) * 1000);
}
