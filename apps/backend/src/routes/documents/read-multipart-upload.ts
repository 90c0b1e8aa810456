import type { Request } from 'express';
import busboy from 'busboy';
import { wellFormedText } from '@docuthinker/contracts';
import { problem } from '../../errors';
import type { UploadInput } from '../../services/document-service';

/** Room for the multipart boundaries and the title field around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Reads a `multipart/form-data` upload (`file`, optional `title`) into
 * memory, refusing it as soon as it passes the size limit rather than after
 * buffering it all.
 */
export async function readMultipartUpload(req: Request, maxBytes: number): Promise<UploadInput> {
  const declaredLength = Number(req.headers['content-length'] ?? 0);
  if (declaredLength > maxBytes + MULTIPART_OVERHEAD_BYTES) throw tooLarge(maxBytes);

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      limits: { files: 1, fileSize: maxBytes, fields: 4, fieldSize: 4096, parts: 6 },
    });
  } catch {
    throw problem('DT_ERR_VALIDATION', 'The multipart body has no boundary.');
  }

  return new Promise<UploadInput>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let file: Omit<UploadInput, 'bytes' | 'title'> | undefined;
    let title: string | undefined;
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
    };

    parser.on('file', (name, stream, info) => {
      // busboy destroys a file stream with an error when the body ends inside
      // it; unheard, that error crashes the process (found by the fuzz suite).
      stream.on('error', () => fail(malformed()));
      if (name !== 'file' || file) {
        stream.resume();
        return;
      }
      file = {
        ...(info.filename ? { filename: info.filename } : {}),
        ...(info.mimeType ? { declaredType: info.mimeType } : {}),
      };
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        fail(tooLarge(maxBytes));
        chunks.length = 0;
      });
    });
    parser.on('field', (name, value, info) => {
      if (name === 'title') {
        if (info.valueTruncated) fail(problem('DT_ERR_VALIDATION', 'The title is too long.'));
        title = wellFormedText(value).trim() || undefined;
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
      if (title !== undefined && title.length > 300)
        return reject(problem('DT_ERR_VALIDATION', 'The title is too long.'));
      resolve({ ...file, bytes: Buffer.concat(chunks), ...(title ? { title } : {}) });
    });
    req.pipe(parser);
  });
}

function malformed() {
  return problem('DT_ERR_VALIDATION', 'The multipart body is malformed.');
}

function tooLarge(maxBytes: number) {
  return problem(
    'DT_ERR_FILE_TOO_LARGE',
    `The file is larger than the ${Math.round(maxBytes / 1024)} KiB upload limit.`,
  );
}
