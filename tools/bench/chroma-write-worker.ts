// The indexing benchmark's Chroma floor: the same documents' chunks, chunked
// and embedded beforehand, written into a real Chroma by the vector index
// adapter alone (ChromaVectorIndex.replaceDocument: list the document's old
// ids, add the new chunks, remove what is stale), one document at a time, in
// a process of its own: no HTTP, no worker threads, no graph. What the Chroma
// server itself costs on this machine, so the gateway's Chroma row can be
// read against it. Reads a JSON array of {documentId, text} (the round's
// documents under the ids the gateway indexes them with), a Chroma URL and a
// collection prefix of its own; prints documents per second.
import { readFileSync } from 'node:fs';
import {
  ChromaVectorIndex,
  chunkDocument,
  HashingEmbedder,
  type IndexedChunk,
} from '@docuthinker/ai-engine';

const OWNER_ID = 'bench-owner';
const WARM_UP_OWNER_ID = 'bench-warm-up';
const WARM_UP_DOCUMENTS = 5;

async function main(): Promise<void> {
  const [file, url, collectionPrefix] = process.argv.slice(2);
  if (!file || !url || !collectionPrefix)
    throw new Error('usage: chroma-write-worker <documents.json> <chroma url> <collection prefix>');
  const round = JSON.parse(readFileSync(file, 'utf8')) as { documentId: string; text: string }[];
  const embedder = new HashingEmbedder();
  const documents: { documentId: string; chunks: IndexedChunk[] }[] = [];
  for (const { documentId, text } of round) {
    const chunks = chunkDocument(documentId, text);
    const embeddings = await embedder.embed(chunks.map((chunk) => chunk.text));
    documents.push({
      documentId,
      chunks: chunks.map((chunk, ordinal) => ({
        chunkId: chunk.chunkId,
        documentId,
        ordinal: chunk.ordinal,
        text: chunk.text,
        embedding: embeddings[ordinal] as Float32Array,
      })),
    });
  }
  const index = await ChromaVectorIndex.connect({
    url,
    embedding: { model: embedder.model, dimensions: embedder.dimensions },
    collectionPrefix,
  });
  // Warm-up, as the gateway had: the same first documents under another owner.
  for (const { documentId, chunks } of documents.slice(0, WARM_UP_DOCUMENTS))
    await index.replaceDocument(WARM_UP_OWNER_ID, documentId, chunks);
  const started = performance.now();
  for (const { documentId, chunks } of documents)
    await index.replaceDocument(OWNER_ID, documentId, chunks);
  process.stdout.write(`${documents.length / ((performance.now() - started) / 1000)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
