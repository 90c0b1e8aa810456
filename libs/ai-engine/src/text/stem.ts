const VOWEL = /[aeiouy]/;
const KEEP_DOUBLE = new Set(['l', 's', 'z']);

function undouble(stem: string): string {
  const last = stem.at(-1) ?? '';
  if (stem.length > 3 && last === stem.at(-2) && !VOWEL.test(last) && !KEEP_DOUBLE.has(last)) {
    return stem.slice(0, -1);
  }
  return stem;
}

function stripSuffix(word: string, suffix: string, minimumStem: number): string | undefined {
  if (!word.endsWith(suffix)) return undefined;
  const stem = word.slice(0, -suffix.length);
  return stem.length >= minimumStem && VOWEL.test(stem) ? stem : undefined;
}

/**
 * A light, conservative English stemmer: it folds plurals and the common
 * verb/noun endings so that "redistributions", "redistributing" and
 * "redistribute" meet in one term. Over-stemming hurts ranking more than a
 * missed fold, so it strips at most one derivational suffix.
 */
export function stem(word: string): string {
  const cached = stems.get(word);
  if (cached !== undefined) return cached;
  const result = computeStem(word);
  // A language's working vocabulary is small; the bound only guards against
  // pathological input such as random identifiers.
  if (stems.size >= STEM_CACHE_LIMIT) stems.clear();
  stems.set(word, result);
  return result;
}

const STEM_CACHE_LIMIT = 100000;
const stems = new Map<string, string>();

function computeStem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let result = word;
  if (result.endsWith('ies') && result.length > 4) result = `${result.slice(0, -3)}y`;
  else if (result.endsWith('sses')) result = result.slice(0, -2);
  else if (result.endsWith('s') && !/(ss|us|is)$/.test(result)) result = result.slice(0, -1);

  for (const [suffix, minimumStem] of [
    ['ations', 3],
    ['ation', 3],
    ['ings', 3],
    ['ing', 3],
    ['edly', 3],
    ['ed', 3],
    ['tion', 3],
    ['sion', 3],
    ['ly', 4],
  ] as const) {
    const stripped = stripSuffix(result, suffix, minimumStem);
    if (stripped === undefined) continue;
    // "distribution" -> "distribut", "permission" -> "permiss": keep the t/s
    // so that the verb forms ("distribute", "permissible") land nearby.
    const kept = suffix === 'tion' ? 't' : suffix === 'sion' ? 's' : '';
    result = undouble(stripped + kept);
    break;
  }
  if (result.endsWith('e') && result.length > 4) result = result.slice(0, -1);
  return result;
}
