import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import {
  access,
  constants,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
} from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { freeDiskSpaceCheck, type DiskSpaceCheck } from '@docuthinker/runtime';
import type { FileStore, PutFileOptions, StoredFile } from '../ports/file-store';
import { UnsafeFileKeyError } from '../shared/errors';
import { probeHealth, type HealthReport } from '../shared/health';
import { assertSafeFileKey, assertSafeFilePrefix } from './file-key';

/** Partial uploads live here; valid keys cannot start with a dot, so it never collides. */
const TEMP_DIR = '.tmp';

// Duck-typed: errors from Node's fs may come from another realm (e.g. under jest).
function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

/** Folders made again for one file before its move is given up. */
const MOVE_ATTEMPTS = 5;

/**
 * Renames the finished file into its folder. Removing the prefix at the same
 * time (an account being erased during one of its uploads) can take the
 * folder away between its mkdir and the rename, which then fails with ENOENT
 * (seen in CI), or take a parent away while the recursive mkdir makes the
 * folders below it, which fails the mkdir the same way (seen in CI too):
 * either way the folder is made again and the rename retried.
 */
async function moveIntoPlace(temp: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await mkdir(dirname(target), { recursive: true });
      await rename(temp, target);
      return;
    } catch (error) {
      if (!isMissing(error) || attempt >= MOVE_ATTEMPTS) throw error;
    }
  }
}

export interface LocalFileStoreOptions {
  /** Below this much free space on its disk the store reports itself unhealthy. */
  readonly minFreeDiskBytes?: number;
}

/**
 * Original files in a local directory. A write goes to a temporary file in
 * the same directory tree, is flushed to disk, and is then renamed over the
 * target: readers see the old file or the new one, never a torn write.
 */
export class LocalFileStore implements FileStore {
  private readonly root: string;
  private readonly checkDiskSpace: DiskSpaceCheck;

  constructor(root: string, options: LocalFileStoreOptions = {}) {
    this.root = resolve(root);
    this.checkDiskSpace = freeDiskSpaceCheck(this.root, options.minFreeDiskBytes);
  }

  async put(
    key: string,
    body: Buffer | Readable,
    _options: PutFileOptions = {},
  ): Promise<{ size: number }> {
    const target = this.pathFor(key);
    const tempDir = join(this.root, TEMP_DIR);
    await mkdir(tempDir, { recursive: true });
    const temp = join(tempDir, `${randomUUID()}.part`);
    let sink: WriteStream | undefined;
    try {
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      sink = createWriteStream(temp, { flush: true });
      await pipeline(source, sink);
      const size = sink.bytesWritten;
      await moveIntoPlace(temp, target);
      return { size };
    } catch (error) {
      // pipeline settles once the streams are destroyed, not closed: a sink
      // whose open was still on the thread pool creates its file after all,
      // and a removal that ran first left it behind (CI saw one left by a
      // broken upload). Removed once the sink has closed, it is gone.
      const closing = sink;
      if (closing && !closing.closed) {
        await new Promise<void>((resolve) => closing.once('close', () => resolve()));
      }
      await rm(temp, { force: true });
      throw error;
    }
  }

  async get(key: string): Promise<StoredFile | null> {
    const path = this.pathFor(key);
    try {
      // Stat the opened handle, not the path, so size and bytes belong to the same file.
      const handle = await open(path, 'r');
      const { size } = await handle.stat().catch(async (error: unknown) => {
        await handle.close();
        throw error;
      });
      return { body: handle.createReadStream(), size };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async getBuffer(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathFor(key));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathFor(key);
    await rm(path, { force: true });
    // The file's folder goes with its last file (a document's folder holds
    // only its original): deleted documents left one empty folder each.
    // Never the root, and never a folder something else still holds (rmdir
    // refuses those); tidying up must not fail a deletion that succeeded.
    const folder = dirname(path);
    if (folder !== this.root) await rmdir(folder).catch(() => undefined);
  }

  async deletePrefix(prefix: string): Promise<number> {
    assertSafeFilePrefix(prefix);
    const folder = this.pathFor(prefix.slice(0, -1));
    let count = 0;
    try {
      const entries = await readdir(folder, { recursive: true, withFileTypes: true });
      count = entries.filter((entry) => entry.isFile()).length;
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    // An upload of the same owner can land a file in the folder while it is
    // being removed (an account erased mid-upload): rm then meets a directory
    // that is not empty, and its retries remove the newcomer too.
    await rm(folder, { recursive: true, force: true, maxRetries: 10, retryDelay: 20 });
    return count;
  }

  async signedDownloadUrl(key: string): Promise<string | null> {
    assertSafeFileKey(key);
    return null;
  }

  health(): Promise<HealthReport> {
    return probeHealth('local', async () => {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.W_OK);
      await this.checkDiskSpace();
    });
  }

  private pathFor(key: string): string {
    assertSafeFileKey(key);
    const path = resolve(this.root, ...key.split('/'));
    // Defence in depth: the key check already rules this out.
    if (!path.startsWith(this.root + sep)) {
      throw new UnsafeFileKeyError(key, 'resolves outside the storage directory');
    }
    return path;
  }
}
