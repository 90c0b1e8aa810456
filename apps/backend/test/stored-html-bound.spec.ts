import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExtractedDocument } from '@docuthinker/documents';
import { createStores, type Stores } from '@docuthinker/stores';
import { createGatewayClient } from '../src/gateway/gateway-client';
import { DocumentCache } from '../src/services/document-cache';
import { DocumentService, MAX_STORED_HTML_BYTES } from '../src/services/document-service';
import { SERVICE_TOKEN } from './support/start-backend';

const TEXT = 'A table-heavy report.';

/** What the extractor gives for a DOCX whose HTML is `html`. */
function docx(html: string): ExtractedDocument {
  return {
    fileType: 'docx',
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    text: TEXT,
    html,
    title: 'Report',
    contentHash: 'c'.repeat(64),
    size: 1024,
  };
}

/**
 * Found in review: MongoDB keeps a record in at most 16 MiB, and a DOCX's
 * HTML was stored however large, next to up to 6 MB of text: the upload
 * was a 500 on MongoDB where the embedded store took it.
 */
describe("a document's formatted copy", () => {
  let dataDir: string;
  let stores: Stores;
  let owner: string;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dt-html-bound-'));
    stores = await createStores({ dataDir });
    owner = (await stores.users.create({ email: 'writer@example.com', passwordHash: 'x' })).id;
  });
  afterEach(async () => {
    await stores.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function uploading(extracted: ExtractedDocument): Promise<{ html?: string; text: string }> {
    const service = new DocumentService(
      stores,
      new DocumentCache(stores.cache),
      createGatewayClient({ baseUrl: 'http://127.0.0.1:9', serviceToken: SERVICE_TOKEN }),
      {
        maxUploadBytes: 1024 * 1024,
        extractor: { extract: () => Promise.resolve(extracted) },
        onOutboxWork: () => undefined,
      },
    );
    return service
      .upload(owner, { bytes: Buffer.from('PK'), filename: 'report.docx' })
      .then((record) => stores.documents.get(owner, record.id))
      .then((record) => {
        if (!record) throw new Error('the document was not stored');
        return record;
      });
  }

  it('is kept up to the bound', async () => {
    const html = `<p>${'x'.repeat(MAX_STORED_HTML_BYTES - 7)}</p>`;
    expect(Buffer.byteLength(html)).toBe(MAX_STORED_HTML_BYTES);
    expect((await uploading(docx(html))).html).toBe(html);
  });

  it('is left out above it, measured in UTF-8 bytes; the text is stored all the same', async () => {
    // Under the bound in UTF-16 units, three times over it in bytes.
    const html = `<p>${'表'.repeat(MAX_STORED_HTML_BYTES / 2)}</p>`;
    const stored = await uploading(docx(html));
    expect(stored.html).toBeUndefined();
    expect(stored.text).toBe(TEXT);
  });
});
