/**
 * English function words. They carry no topic, so they are left out of
 * embeddings, lexical scores, key phrases and sentence similarity.
 */
export const STOPWORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are as at be because been before being below
  between both but by can could did do does doing done down during each either else etc even ever every few
  for from further had has have having he her here hers herself him himself his how however i if in into is
  it its itself just may me might more most must my myself neither no nor not now of off on once only or other
  otherwise our ours ourselves out over own per same shall she should so some such than that the their theirs
  them themselves then there these they this those through thus to too under until up upon us very via was we
  were what when where whether which while who whom whose why will with within without would yet you your
  yours yourself yourselves`
    .split(/\s+/)
    .filter((word) => word.length > 0),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}
