import { extractEntityMentions } from '../offline/named-entities';
import type { CoOccurrence, GraphDocument, GraphEntity } from './knowledge-graph';
import { compareCodeUnits } from '../text/code-unit-order';

export interface DocumentGraphOptions {
  readonly maxEntities?: number;
  readonly maxCoOccurrences?: number;
}

/**
 * The graph a document contributes: its most mentioned entities and which of
 * them share a sentence. Bounded so that one long document cannot flood the
 * owner's graph. Entities come from the text: a title is often generic
 * ("Meeting Notes", "Untitled Document"), and read as text it related
 * unrelated documents through that name. A name of the title counts only
 * where the text mentions it, inside a longer name as well (namesFrom).
 */
export function buildDocumentGraph(
  ownerId: string,
  documentId: string,
  title: string,
  text: string,
  options: DocumentGraphOptions = {},
): GraphDocument {
  const { entities, mentions } = extractEntityMentions(text, { namesFrom: title });
  const chosen: GraphEntity[] = entities.slice(0, options.maxEntities ?? 25);
  const keys = new Set(chosen.map((entity) => entity.key));

  const bySentence = new Map<number, Set<string>>();
  for (const mention of mentions) {
    if (!keys.has(mention.key)) continue;
    const inSentence = bySentence.get(mention.sentence) ?? new Set<string>();
    inSentence.add(mention.key);
    bySentence.set(mention.sentence, inSentence);
  }
  const pairs = new Map<string, CoOccurrence>();
  for (const inSentence of bySentence.values()) {
    const sorted = [...inSentence].sort();
    for (let i = 0; i < sorted.length; i += 1) {
      for (let j = i + 1; j < sorted.length; j += 1) {
        const a = sorted[i] as string;
        const b = sorted[j] as string;
        const id = `${a}\u0000${b}`;
        pairs.set(id, { a, b, weight: (pairs.get(id)?.weight ?? 0) + 1 });
      }
    }
  }
  const coOccurrences = [...pairs.values()]
    .sort(
      (left, right) =>
        right.weight - left.weight ||
        compareCodeUnits(left.a, right.a) ||
        compareCodeUnits(left.b, right.b),
    )
    .slice(0, options.maxCoOccurrences ?? 60);
  return { ownerId, documentId, title, entities: chosen, coOccurrences };
}
