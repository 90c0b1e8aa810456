import { readFileSync } from 'node:fs';
import { definePDFJSModule, getDocumentProxy, extractText, getMeta } from 'unpdf';
import { buildPdf } from './support/build-pdf';

async function tryPdf(label: string, bytes: Uint8Array) {
  const t0 = Date.now();
  try {
    const proxy = await getDocumentProxy(bytes);
    console.log(label, 'pages', proxy.numPages);
    if (proxy.numPages < 100) {
      const r = await extractText(proxy, { mergePages: true });
      console.log(label, 'text', JSON.stringify(r.text.slice(0, 100)));
    }
    const meta = await getMeta(proxy);
    console.log(label, 'meta', JSON.stringify(meta.info).slice(0, 300));
  } catch (e) {
    const err = e as Error & { code?: unknown };
    console.log(label, 'ERR', err.name, err.constructor?.name, err.code, err.message);
  }
  console.log(label, Date.now() - t0, 'ms');
}

test('scratch', async () => {
  await definePDFJSModule(() => import('unpdf/pdfjs'));
  const pdf = new Uint8Array(readFileSync('/work/shared/corpus/shared-mime-info-spec.pdf'));
  await tryPdf('sample', pdf.slice());
  await tryPdf('trunc-half', pdf.slice(0, pdf.length / 2));
  await tryPdf('trunc-1000', pdf.slice(0, 1000));
  await tryPdf('trunc-20', pdf.slice(0, 20));
  await tryPdf('built', buildPdf({ pageTexts: ['Hello world', 'Page two'] }));
  await tryPdf('absurd', buildPdf({ pageTexts: ['Hello world'], claimedPageCount: 1000000 }));
  await tryPdf('encrypted', buildPdf({ pageTexts: ['Hello secret'], passwordProtected: true }));
  await tryPdf('empty', buildPdf({ pageTexts: [''] }));
  await tryPdf('garbage', new Uint8Array(Buffer.from('%PDF-1.4\nthis is not a pdf at all\n')));
});
