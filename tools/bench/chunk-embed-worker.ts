// The indexing benchmark's anchor: the offline engine's raw chunk-and-embed
// over the same documents, in a process of its own, with no store, graph or
// HTTP. Reads a JSON array of texts; prints documents per second.
import { readFileSync } from 'node:fs';
import { chunkDocument, HashingEmbedder } from '@docuthinker/ai-engine';

async function main(): Promise<void> {
  const [file] = process.argv.slice(2);
  const texts = JSON.parse(readFileSync(file as string, 'utf8')) as string[];
  const embedder = new HashingEmbedder();
  const run = async () => {
    for (const [index, text] of texts.entries()) {
      const chunks = chunkDocument(`doc-${index}`, text);
      await embedder.embed(chunks.map((chunk) => chunk.text));
    }
  };
  await run(); // warm-up
  const started = performance.now();
  await run();
  process.stdout.write(`${texts.length / ((performance.now() - started) / 1000)}\n`);
}

void main();
