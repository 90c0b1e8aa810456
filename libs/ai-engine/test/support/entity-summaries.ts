import { extractEntityMentions } from '../../src/offline/named-entities';

/** The entities found in `text`, each as its name, key and mention count. */
export function entitySummaries(text: string): { name: string; key: string; mentions: number }[] {
  return extractEntityMentions(text).entities.map(({ name, key, mentions }) => ({
    name,
    key,
    mentions,
  }));
}
