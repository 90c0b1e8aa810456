// The upload benchmark's anchor: the PDF library's raw text extraction on the
// same file, in a process of its own. Prints the mean milliseconds per run.
import { readFileSync } from 'node:fs';
import { extractPdfText } from '@docuthinker/documents';

async function main(): Promise<void> {
  const [file, runsArg] = process.argv.slice(2);
  const bytes = new Uint8Array(readFileSync(file as string));
  const runs = Number(runsArg ?? 5);
  await extractPdfText(bytes); // warm-up
  const started = performance.now();
  for (let run = 0; run < runs; run += 1) await extractPdfText(bytes);
  process.stdout.write(`${(performance.now() - started) / runs}\n`);
}

void main();
