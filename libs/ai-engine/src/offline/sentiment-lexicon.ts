/**
 * Word valences from -3 (very negative) to +3 (very positive), written for
 * this engine in the style of AFINN/VADER. Entries are stems as produced by
 * `stem()`, so one entry covers the inflected forms.
 */
const ENTRIES: Record<number, string> = {
  3: `excellent outstanding superb wonderful fantastic amazing brilliant delight exceptional perfect love
      thrill masterpiece triumph`,
  2: `good great happy pleas enjoy success successful benefit beneficial valuable effective efficient improv
      impress positiv glad excit favorabl recommend reliabl robust strong win winner gain growth profit
      helpful useful easy secur safe clear elegant innovativ opportunity progress achiev accomplish best better
      thank appreciat satisf comfortabl celebrat prosper optimist`,
  1: `fine ok okay fair like permit allow grant free support agre accept stabl adequat hope interest nice
      steady solv resolv protect right authoriz enabl`,
  [-1]: `limit restrict problem issu concern risk doubt slow difficult hard complex confus unclear lack miss
      delay cost expens weak minor uncertain liabl liability disclaim prohibit forbid deny refus`,
  [-2]: `bad poor fail failur loss lose wrong error defect broken damag harm negativ worr declin drop crisis
      dispute conflict violat breach infring penalty terminat unfortunat disappoint frustrat angry sad
      complaint reject inadequat unreliabl insecur vulnerab threat danger fraud neglig useless worthless
      pointless`,
  [-3]: `terribl horribl awful disaster catastroph worst hate devastat disgust tragic fatal abysmal`,
};

export const SENTIMENT_LEXICON: ReadonlyMap<string, number> = new Map(
  Object.entries(ENTRIES).flatMap(([valence, list]) =>
    list
      .split(/\s+/)
      .filter((entry) => entry.length > 0)
      .map((entry) => [entry, Number(valence)] as const),
  ),
);

/** Words that flip the valence of what follows within a short window. */
export const NEGATIONS: ReadonlySet<string> = new Set([
  'not',
  'no',
  'never',
  'neither',
  'nor',
  'none',
  'cannot',
  "can't",
  "don't",
  "doesn't",
  "didn't",
  "isn't",
  "wasn't",
  "aren't",
  "won't",
  "shouldn't",
  "wouldn't",
  'without',
]);

/** Words that strengthen (or soften) the next sentiment word. */
export const INTENSIFIERS: ReadonlyMap<string, number> = new Map([
  ['very', 1.5],
  ['extremely', 1.8],
  ['really', 1.3],
  ['highly', 1.5],
  ['incredibly', 1.7],
  ['especially', 1.3],
  ['slightly', 0.6],
  ['somewhat', 0.7],
  ['barely', 0.5],
]);
