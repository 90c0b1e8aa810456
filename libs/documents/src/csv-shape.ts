const DELIMITERS = [',', ';', '\t', '|'] as const;
const SAMPLE_CHARS = 64 * 1024;
const SAMPLE_RECORDS = 50;

/**
 * True when the text reads as delimited data: every sampled record has the
 * same number of fields for one of the usual delimiters (quotes respected,
 * so quoted delimiters and line breaks do not count), or no record has a
 * delimiter at all (a single-column file).
 */
export function hasConsistentCsvShape(text: string): boolean {
  const sample = completeRecords(text.slice(0, SAMPLE_CHARS), text.length > SAMPLE_CHARS);
  const counts = DELIMITERS.map((delimiter) => fieldCounts(sample, delimiter));
  if (counts.every((perRecord) => perRecord.every((fields) => fields === 1))) return true;
  return counts.some(
    ([first, ...rest]) =>
      first !== undefined && first > 1 && rest.every((fields) => fields === first),
  );
}

/** Drops a record cut in half by the sample boundary. */
function completeRecords(sample: string, truncated: boolean): string {
  if (!truncated) return sample;
  const lastBreak = sample.lastIndexOf('\n');
  return lastBreak < 0 ? sample : sample.slice(0, lastBreak);
}

function fieldCounts(text: string, delimiter: string): number[] {
  const counts: number[] = [];
  let fields = 1;
  let recordHasContent = false;
  let inQuotes = false;
  for (const character of text) {
    if (counts.length >= SAMPLE_RECORDS) break;
    if (character === '"') {
      // A doubled quote inside a quoted field toggles twice and stays quoted.
      inQuotes = !inQuotes;
      recordHasContent = true;
    } else if (inQuotes) {
      recordHasContent = true;
    } else if (character === delimiter) {
      fields += 1;
      recordHasContent = true;
    } else if (character === '\n') {
      if (recordHasContent) counts.push(fields);
      fields = 1;
      recordHasContent = false;
    } else if (character !== '\r') {
      recordHasContent = true;
    }
  }
  if (recordHasContent && counts.length < SAMPLE_RECORDS) counts.push(fields);
  return counts;
}
