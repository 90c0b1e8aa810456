import { pipeline } from 'node:stream';
import { Router, type Request } from 'express';
import { hasVisibleText, wellFormedText } from '@docuthinker/contracts';
import { DocumentError, textCharset } from '@docuthinker/documents';
import { clientDepartureSignal } from '@docuthinker/runtime';
import {
  documentListQuery,
  documentSearchQuery,
  documentUpdateBody,
  textDocumentBody,
} from '../../api/document-schemas';
import { problem } from '../../errors';
import { currentUser } from '../../middleware/authenticate';
import { exactPathOnly } from '../../middleware/exact-path-only';
import { jsonBody, queryOf } from '../../middleware/validate';
import type { DocumentService, UploadInput } from '../../services/document-service';
import type { AiCallAllowance } from '../../services/ai-call-allowance';
import { detailView, listView, metadataView } from './document-views';
import type { EncodedJsonBodies } from './encoded-json-bodies';
import { readMultipartUpload } from './read-multipart-upload';
import { gatewayCallContext } from '../gateway-call-context';

async function readUpload(req: Request, maxUploadBytes: number): Promise<UploadInput> {
  if (req.is('multipart/form-data')) return readMultipartUpload(req, maxUploadBytes);
  if (req.body !== undefined || req.is('application/json')) {
    const { title, text } = jsonBody(req, textDocumentBody);
    // Asked as sent, as the extractor asks of a file's text: a NUL or a lone
    // surrogate shows nothing, though each is stored as U+FFFD, which does (a
    // text of NULs was stored as a document of replacement characters).
    if (!hasVisibleText(text)) {
      throw new DocumentError('DT_ERR_EMPTY_DOCUMENT', 'The document contains no text.');
    }
    return { bytes: Buffer.from(wellFormedText(text), 'utf8'), title, plainText: true };
  }
  throw problem(
    'DT_ERR_UNSUPPORTED_MEDIA_TYPE',
    'Send multipart/form-data with a "file" field, or JSON {title, text}.',
  );
}

/**
 * A value of RFC 8187's `ext-value`: encodeURIComponent leaves `'`, `(`, `)`
 * and `*` as they are, which its grammar does not allow, and a strict parser
 * then fell back to the mangled ASCII name (found in review).
 */
function rfc8187Value(text: string): string {
  return encodeURIComponent(text).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `Content-Disposition` with an ASCII fallback and the UTF-8 name (RFC 6266).
 * A title may hold `/` or `\` ("../../x"), which a file name must not: a
 * download is one file, never a path (found in a security test).
 */
function attachment(name: string): string {
  const fileName = name.replace(/[/\\]/g, '_');
  const ascii = fileName.replace(/[^\x20-\x7e]|"/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc8187Value(fileName)}`;
}

// Originals served as text from the local file store (S3 answers through a
// signed URL, with the type alone). Their charset is read from the bytes, as
// extraction read them (UTF-8, UTF-16 or Windows-1252; none when it cannot
// tell), so they are held in memory first, up to MAX_LABELLED_TEXT_BYTES:
// a larger one (an HTML page of 25 MB) streams without a charset, so that
// downloads at once cannot hold uploads' worth of memory each. PDF and DOCX
// still stream.
const TEXT_MEDIA_TYPE = /^(?:text\/|application\/json$)/;
const MAX_LABELLED_TEXT_BYTES = 2 * 1024 * 1024;

async function readAll(body: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function withCharset(contentType: string, bytes: Buffer): string {
  const charset = textCharset(bytes);
  return charset === undefined ? contentType : `${contentType}; charset=${charset}`;
}

/** `listBodies` is shared with the cached listing's fast path, which sends the same bytes. */
export function documentRoutes(
  documents: DocumentService,
  maxUploadBytes: number,
  listBodies: EncodedJsonBodies,
  aiCalls: AiCallAllowance,
): Router {
  const router = Router();

  router.post('/api/documents', async (req, res) => {
    const upload = await readUpload(req, maxUploadBytes);
    // Indexing embeds every chunk, and the summary is an AI task: AI calls.
    await aiCalls.spend(currentUser(req).id);
    const created = await documents.upload(currentUser(req).id, upload, clientDepartureSignal(res));
    res.status(201).location(`/api/documents/${created.id}`).json(metadataView(created));
  });

  router.get('/api/documents', async (req, res) => {
    const { limit, cursor } = queryOf(req, documentListQuery);
    const body = await documents.listRendered(currentUser(req).id, limit, cursor, listView);
    listBodies.send(res, body);
  });

  // Before `/:id`, which would otherwise take "search" for an id.
  router.get('/api/documents/search', async (req, res) => {
    const { q, mode, limit } = queryOf(req, documentSearchQuery);
    // Semantic search embeds the query through the gateway: an AI call.
    if (mode === 'semantic') await aiCalls.spend(currentUser(req).id);
    res.json(
      await documents.search(currentUser(req).id, q, mode, limit, gatewayCallContext(req, res)),
    );
  });

  router.delete('/api/documents', exactPathOnly, async (req, res) => {
    await documents.deleteAll(currentUser(req).id);
    res.status(204).end();
  });

  router.get('/api/documents/:id', async (req, res) => {
    res.json(await detailView(await documents.get(currentUser(req).id, req.params.id)));
  });

  router.get('/api/documents/:id/file', async (req, res) => {
    const file = await documents.file(currentUser(req).id, req.params.id);
    if (file.kind === 'redirect') {
      res.redirect(302, file.url);
      return;
    }
    const text =
      TEXT_MEDIA_TYPE.test(file.contentType) && file.size <= MAX_LABELLED_TEXT_BYTES
        ? await readAll(file.body)
        : undefined;
    res.status(200);
    res.setHeader(
      'Content-Type',
      text === undefined ? file.contentType : withCharset(file.contentType, text),
    );
    res.setHeader('Content-Length', String(text?.length ?? file.size));
    res.setHeader('Content-Disposition', attachment(file.name));
    // Uploaded HTML must never run as a page of this origin.
    res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'");
    res.setHeader('Cache-Control', 'private, no-store');
    if (text !== undefined) {
      res.end(text);
      return;
    }
    // pipeline, not pipe: a client that leaves mid-download closes the
    // response, and pipe left the file's stream paused with its handle open
    // until garbage collection (found in an exploratory test: aborted
    // downloads held hundreds of descriptors). A read that fails ends the
    // response the same way; either is the client's or the store's, logged
    // by neither.
    pipeline(file.body, res, () => undefined);
  });

  router.patch('/api/documents/:id', async (req, res) => {
    const { title } = jsonBody(req, documentUpdateBody);
    // A new title re-indexes the document (its chunks are embedded again).
    await aiCalls.spend(currentUser(req).id);
    res.json(metadataView(await documents.rename(currentUser(req).id, req.params.id, title)));
  });

  router.delete('/api/documents/:id', async (req, res) => {
    await documents.delete(currentUser(req).id, req.params.id);
    res.status(204).end();
  });
  return router;
}
