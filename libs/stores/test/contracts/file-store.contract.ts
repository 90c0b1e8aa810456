import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer as collectStream } from 'node:stream/consumers';
import type { FileStore } from '../../src/ports/file-store';
import { UnsafeFileKeyError } from '../../src/shared/errors';

export interface FileStoreSubject {
  files(): FileStore;
  /** Whether `signedDownloadUrl` returns fetchable URLs (S3) or null (local). */
  readonly signsUrls: boolean;
}

/** A stream that yields some bytes and then fails, like an aborted upload. */
function failingStream(): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(Buffer.from('partial bytes that must never be visible'));
      } else {
        this.destroy(new Error('client went away'));
      }
    },
  });
}

export const UNSAFE_KEYS = [
  '../outside.txt',
  'owner/../../outside.txt',
  '/etc/passwd',
  'owner//file',
  'owner/./file',
  'owner\\..\\file',
  'C:\\windows\\file',
  '.hidden',
  'owner/.tmp/file',
  '..',
  '',
  'owner/file/',
  'owner/fi\u0000le',
  'owner/ünïcode.pdf',
  'owner/with space.pdf',
];

export function fileStoreContract(subject: FileStoreSubject): void {
  describe('FileStore contract', () => {
    const files = () => subject.files();
    let owner: string;
    beforeEach(() => {
      owner = randomUUID();
    });

    it('stores bytes from a buffer and from a stream and reads them back both ways', async () => {
      const pdf = Buffer.from('%PDF-1.7 fake bytes \u00e9');
      expect(
        await files().put(`${owner}/doc-1/original.pdf`, pdf, { contentType: 'application/pdf' }),
      ).toEqual({
        size: pdf.length,
      });
      expect(await files().getBuffer(`${owner}/doc-1/original.pdf`)).toEqual(pdf);

      const chunks = [Buffer.from('line one\n'), Buffer.from('line two\n')];
      expect(await files().put(`${owner}/doc-2/original.txt`, Readable.from(chunks))).toEqual({
        size: 18,
      });
      const stored = await files().get(`${owner}/doc-2/original.txt`);
      expect(stored?.size).toBe(18);
      expect(stored && (await collectStream(stored.body)).toString()).toBe('line one\nline two\n');
    });

    it('returns null for a missing file and deletes idempotently', async () => {
      expect(await files().get(`${owner}/missing.pdf`)).toBeNull();
      expect(await files().getBuffer(`${owner}/missing.pdf`)).toBeNull();
      await files().put(`${owner}/gone.txt`, Buffer.from('x'));
      await files().delete(`${owner}/gone.txt`);
      await files().delete(`${owner}/gone.txt`);
      expect(await files().getBuffer(`${owner}/gone.txt`)).toBeNull();
    });

    it('replaces a file whole, and a failed upload leaves the previous bytes', async () => {
      const key = `${owner}/doc/original.txt`;
      await files().put(key, Buffer.from('version one'));
      await files().put(key, Buffer.from('version two, longer'));
      expect((await files().getBuffer(key))?.toString()).toBe('version two, longer');

      await expect(files().put(key, failingStream())).rejects.toThrow('client went away');
      expect((await files().getBuffer(key))?.toString()).toBe('version two, longer');
      await expect(files().put(`${owner}/never.txt`, failingStream())).rejects.toThrow();
      expect(await files().getBuffer(`${owner}/never.txt`)).toBeNull();
    });

    it('deletes everything under an owner’s prefix and nothing else', async () => {
      const other = randomUUID();
      await files().put(`${owner}/a/original.pdf`, Buffer.from('1'));
      await files().put(`${owner}/b/original.pdf`, Buffer.from('2'));
      await files().put(`${owner}/b/extra/derived.txt`, Buffer.from('3'));
      await files().put(`${other}/a/original.pdf`, Buffer.from('4'));
      await files().put(`${owner}x/a/original.pdf`, Buffer.from('5'));

      expect(await files().deletePrefix(`${owner}/`)).toBe(3);
      expect(await files().getBuffer(`${owner}/b/extra/derived.txt`)).toBeNull();
      expect((await files().getBuffer(`${other}/a/original.pdf`))?.toString()).toBe('4');
      expect((await files().getBuffer(`${owner}x/a/original.pdf`))?.toString()).toBe('5');
      expect(await files().deletePrefix(`${owner}/`)).toBe(0);
    });

    it.each(UNSAFE_KEYS)('rejects the unsafe key %j on every method', async (key) => {
      await expect(files().put(key, Buffer.from('x'))).rejects.toBeInstanceOf(UnsafeFileKeyError);
      await expect(files().get(key)).rejects.toBeInstanceOf(UnsafeFileKeyError);
      await expect(files().getBuffer(key)).rejects.toBeInstanceOf(UnsafeFileKeyError);
      await expect(files().delete(key)).rejects.toBeInstanceOf(UnsafeFileKeyError);
      await expect(files().signedDownloadUrl(key, { expiresInSeconds: 60 })).rejects.toBeInstanceOf(
        UnsafeFileKeyError,
      );
    });

    it.each(['', '/', '../', 'owner', 'owner/../', '*/'])(
      'rejects the unsafe prefix %j',
      async (prefix) => {
        await expect(files().deletePrefix(prefix)).rejects.toBeInstanceOf(UnsafeFileKeyError);
      },
    );

    it('hands out a download URL only where the store can sign one', async () => {
      const key = `${owner}/doc/original.pdf`;
      await files().put(key, Buffer.from('signed bytes'), { contentType: 'application/pdf' });
      const url = await files().signedDownloadUrl(key, {
        expiresInSeconds: 60,
        contentType: 'application/pdf',
        downloadName: 'Résumé "final".pdf',
      });
      if (!subject.signsUrls) {
        expect(url).toBeNull();
        return;
      }
      const signed = new URL(url ?? 'missing:');
      expect(signed.searchParams.get('X-Amz-Expires')).toBe('60');
      // moto ignores response-* overrides; real S3 answers with these headers.
      expect(signed.searchParams.get('response-content-type')).toBe('application/pdf');
      expect(signed.searchParams.get('response-content-disposition')).toBe(
        `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`,
      );
      const response = await fetch(signed);
      expect(response.status).toBe(200);
      expect(Buffer.from(await response.arrayBuffer()).toString()).toBe('signed bytes');
    });

    it('reports itself healthy', async () => {
      expect(await files().health()).toMatchObject({ ok: true });
    });
  });
}
