import type { Readable } from 'node:stream';
import type { Request } from 'express';
import busboy from 'busboy';
import * as z from 'zod';
import { hasVisibleText } from '@docuthinker/contracts';
import { problem } from '../../errors';
import { documentTitle } from '../../api/document-schemas';
import { dropBodyAfterAnswer } from '../../middleware/drop-unread-body';
import { parseOrThrow } from '../../middleware/validate';
import type { UploadInput } from '../../services/document-service';

/** The form's one field besides the file, validated as the JSON upload's title is. */
const uploadTitle = z.object({ title: documentTitle });

/** Room for the multipart boundaries and the title field around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The largest request body the backend reads: an upload of the largest file, as a form. */
export function largestBodyBytes(maxUploadBytes: number): number {
  return maxUploadBytes + MULTIPART_OVERHEAD_BYTES;
}

/**
 * Reads a `multipart/form-data` upload (`file`, optional `title`) into
 * memory, refusing it as soon as it passes the size limit rather than after
 * buffering it all: a declared length is checked up front, and a chunked
 * body is refused the moment the file or the body as a whole passes the
 * limit (what follows is dropped, for a few seconds at most).
 */
export async function readMultipartUpload(req: Request, maxBytes: number): Promise<UploadInput> {
  // busboy reads the bytes as they come: a compressed form failed as
  // "malformed", and a plain one labelled compressed was taken, its label
  // ignored. JSON bodies are inflated; a form must come uncompressed.
  // An empty header is no coding, as the JSON bodies read it.
  const encoding = (req.headers['content-encoding'] || 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw problem('DT_ERR_UNSUPPORTED_MEDIA_TYPE', 'Send the multipart form uncompressed.', {
      headers: { 'Accept-Encoding': 'identity' },
    });
  }
  const maxBodyBytes = largestBodyBytes(maxBytes);
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  if (declaredLength > maxBodyBytes) throw refuseTooLarge(req, maxBytes);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      // fieldSize in bytes: room for a 300-character title after spaces cleaning drops.
      // fileSize one past the limit: busboy signals 'limit' when a file
      // reaches it, and a file of exactly maxBytes is allowed.
      limits: { files: 1, fileSize: maxBytes + 1, fields: 4, fieldSize: 16 * 1024, parts: 6 },
    });
  } catch {
    throw problem('DT_ERR_VALIDATION', 'The multipart body has no boundary.');
  }

  return new Promise<UploadInput>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let file: Omit<UploadInput, 'bytes' | 'title'> | undefined;
    let title: string | undefined;
    let titleFields = 0;
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
    };
    // busboy's limits only truncate: it reads the rest of the body and skips
    // it, so a chunked body of any size was read to its end before the 413
    // (200 MiB in the review). Past the limit the 413 goes out at once, and
    // the rest is read for a few seconds at most (see refuseTooLarge).
    let bodyBytes = 0;
    let stopped = false;
    const stopReading = () => {
      if (stopped) return;
      stopped = true;
      // Unpiped, the request is paused until the 413 has gone out.
      req.unpipe(parser);
      req.off('data', countBodyBytes);
      chunks.length = 0;
      reject(refuseTooLarge(req, maxBytes));
    };
    const countBodyBytes = (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes > maxBodyBytes) stopReading();
    };

    const onFile = (name: string, stream: Readable, info: busboy.FileInfo) => {
      // busboy destroys a file stream with an error when the body ends inside
      // it; unheard, that error crashes the process (found by the fuzz suite).
      stream.on('error', () => fail(malformed()));
      // Any file part past the limit, including one that would be skipped.
      stream.on('limit', stopReading);
      if (name !== 'file') {
        // A title sent as a file part would otherwise read "Send one file".
        fail(
          fieldProblem(
            name,
            name === 'title' ? 'must be a text field' : 'is not a field of an upload (file, title)',
          ),
        );
        stream.resume();
        return;
      }
      if (file) {
        stream.resume();
        return;
      }
      if (info.filename && !decodedCleanly(info.filename)) {
        fail(fieldProblem('file', NOT_UTF8));
        stream.resume();
        return;
      }
      file = {
        ...(info.filename ? { filename: browserFileName(info.filename) } : {}),
        ...(info.mimeType ? { declaredType: info.mimeType } : {}),
      };
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    };
    const onField = (name: string, value: string, info: busboy.FieldInfo) => {
      // As the JSON upload refuses what it does not take (found in an
      // exploratory test: a blank title, a second title and unknown fields
      // were taken silently here, and refused there).
      if (name === 'file') {
        fail(fieldProblem('file', 'must be a file part, with a file name'));
      } else if (name !== 'title') {
        fail(fieldProblem(name, 'is not a field of an upload (file, title)'));
      } else if (titleFields++ > 0) {
        fail(fieldProblem('title', 'is given twice'));
      } else if (info.valueTruncated) {
        fail(fieldProblem('title', 'must be at most 300 characters'));
      } else if (!decodedCleanly(value)) {
        fail(fieldProblem('title', NOT_UTF8));
      } else if (hasVisibleText(value)) {
        title = parseOrThrow(uploadTitle, { title: value }).title;
      }
      // A title that shows nothing is a form's title input left blank: the
      // document is titled from the file, as without the field.
    };
    // Thrown from busboy's events, an error would end the process (a part
    // without a name once did): it becomes the upload's answer instead, and
    // a file part is drained so the parse still ends.
    parser.on('file', (name, stream, info) => {
      try {
        onFile(name, stream, info);
      } catch (error) {
        stream.resume();
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
    parser.on('field', (name, value, info) => {
      try {
        onField(name, value, info);
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    });
    parser.on('filesLimit', () => fail(problem('DT_ERR_VALIDATION', 'Send one file per upload.')));
    parser.on('partsLimit', () => fail(problem('DT_ERR_VALIDATION', 'Too many form fields.')));
    parser.on('fieldsLimit', () => fail(problem('DT_ERR_VALIDATION', 'Too many form fields.')));
    parser.on('error', () => reject(failure ?? malformed()));
    parser.on('close', () => {
      if (failure) return reject(failure);
      if (!file)
        return reject(
          problem('DT_ERR_VALIDATION', 'Attach the document as the "file" field.', {
            errors: [{ path: 'file', message: 'is required' }],
          }),
        );
      resolve({ ...file, bytes: Buffer.concat(chunks), ...(title ? { title } : {}) });
    });
    req.on('data', countBodyBytes);
    req.pipe(parser);
  });
}

const NOT_UTF8 = 'must be UTF-8 text: some of its bytes are not (send the form as UTF-8)';

/**
 * busboy decodes the title and the file name as UTF-8 with U+FFFD for each
 * byte that is not, so a Latin-1 title was stored with its accents replaced
 * (found in review; the JSON upload refuses such a body with 400). The bytes
 * are gone by the time a listener hears the value, and the replacement
 * character is what is left of them; a title never means one itself.
 */
function decodedCleanly(value: string): boolean {
  // A name in another charset (RFC 5987's `filename*=utf-16le''…`) can
  // decode to half a surrogate pair instead (found in review).
  return !value.includes('\uFFFD') && value.isWellFormed();
}

/**
 * A part's name comes as busboy read it: undefined for a part whose
 * Content-Disposition names none (the fuzz suite's; unhandled, it crashed
 * the process from busboy's event).
 */
function fieldProblem(name: string | undefined, message: string) {
  const path = name === undefined ? '(unnamed part)' : name.slice(0, 100);
  return problem('DT_ERR_VALIDATION', `${path}: ${message}`, { errors: [{ path, message }] });
}

function malformed() {
  return problem('DT_ERR_VALIDATION', 'The multipart body is malformed.');
}

/** The 413 for an upload over the limit, answered at once (see dropBodyAfterAnswer). */
function refuseTooLarge(req: Request, maxBytes: number) {
  dropBodyAfterAnswer(req);
  return problem(
    'DT_ERR_FILE_TOO_LARGE',
    `The file is larger than the ${Math.round(maxBytes / 1024)} KiB upload limit.`,
  );
}

/**
 * The file name a browser meant: the HTML standard's multipart encoding
 * writes `"` as `%22` and line breaks as `%0D` and `%0A` in the
 * `filename` parameter (curl sends a `"` escaped instead), so `x"y.txt`
 * arrived as `x%22y.txt`. Only those three are decoded: a name may hold
 * other percent signs of its own (`100%25 done.txt`). A name that holds
 * `%22` itself arrives the same way and reads as `"`: the encoding cannot
 * tell the two apart.
 */
export function browserFileName(filename: string): string {
  return filename.replace(/%(22|0d|0a)/gi, (_escape, code: string) =>
    String.fromCharCode(Number.parseInt(code, 16)),
  );
}
