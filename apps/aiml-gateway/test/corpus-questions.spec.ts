import { chunkDocument } from '@docuthinker/ai-engine';
import { GATEWAY_API } from '@docuthinker/contracts';
import { corpusText, normalised, type CorpusDocument } from './support/corpus';
import { startTestGateway, type TestGateway } from './support/test-gateway';

/**
 * Questions over the shared corpus, each with a phrase of the one passage
 * that answers it. They differ from libs/ai-engine's own set: these go
 * through HTTP, as the backend asks them.
 */
const QUESTIONS: ReadonlyArray<{ document: CorpusDocument; question: string; passage: string }> = [
  {
    document: 'mpl-2.0',
    question: 'Who is the license steward of the Mozilla Public License?',
    passage: 'Mozilla Foundation is the license steward',
  },
  {
    document: 'mpl-2.0',
    question: 'May I distribute a Larger Work under terms of my choice?',
    passage: 'You may create and distribute a Larger Work under terms of Your choice',
  },
  {
    document: 'mpl-2.0',
    question: 'What is the Source Code Form, the form preferred for making modifications?',
    passage: 'means the form of the work preferred for making modifications',
  },
  {
    document: 'mpl-2.0',
    question: 'Are my rights reinstated if I become compliant after the rights terminate?',
    passage: 'if You become compliant, then the rights granted under this License',
  },
  {
    document: 'mpl-2.0',
    question: 'In which courts must litigation relating to this License be brought?',
    passage:
      'courts of a jurisdiction where the defendant maintains its principal place of business',
  },
  {
    document: 'apache-2.0',
    question: 'What does Derivative Works mean in the Apache License?',
    passage: '"Derivative Works" shall mean any work',
  },
  {
    document: 'apache-2.0',
    question: 'Are contributions I submit under the terms of the License unless I state otherwise?',
    passage: 'Submission of Contributions',
  },
  {
    document: 'apache-2.0',
    question: 'Is the copyright license granted by each Contributor perpetual and royalty-free?',
    passage: 'Grant of Copyright License',
  },
  {
    document: 'apache-2.0',
    question: 'Is a Contributor liable to me for damages under any legal theory?',
    passage: 'In no event and under no legal theory',
  },
  {
    document: 'bsd',
    question: 'Are implied warranties of merchantability and fitness disclaimed?',
    passage:
      'IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED',
  },
];

describe('asking questions of the shared corpus over HTTP', () => {
  let gateway: TestGateway;
  const chunkText = new Map<string, string>();

  beforeAll(async () => {
    gateway = await startTestGateway();
    for (const document of ['apache-2.0', 'mpl-2.0', 'bsd'] as const) {
      const text = corpusText(document);
      for (const chunk of chunkDocument(document, text)) chunkText.set(chunk.chunkId, chunk.text);
      const response = await gateway.service({
        method: 'POST',
        url: GATEWAY_API.index,
        payload: { ownerId: 'reader', documentId: document, title: document, text },
      });
      expect(response.statusCode).toBe(200);
      // Another owner holds the same texts: none of their chunks may be cited.
      await gateway.service({
        method: 'POST',
        url: GATEWAY_API.index,
        payload: { ownerId: 'other', documentId: `${document}-copy`, title: document, text },
      });
    }
  });
  afterAll(() => gateway.close());

  it('cites a chunk that holds the answer among the top five for at least 90 % of questions', async () => {
    const outcomes = [];
    for (const { document, question, passage } of QUESTIONS) {
      const response = await gateway.service({
        method: 'POST',
        url: GATEWAY_API.ask,
        payload: { ownerId: 'reader', question, k: 5 },
      });
      expect(response.statusCode).toBe(200);
      const { citations } = response.json() as {
        citations: Array<{ documentId: string; chunkId: string }>;
      };
      for (const citation of citations) expect(citation.documentId).not.toMatch(/-copy$/);
      const found = citations
        .slice(0, 5)
        .some(
          (citation) =>
            citation.documentId === document &&
            normalised(chunkText.get(citation.chunkId) ?? '').includes(normalised(passage)),
        );
      outcomes.push({ question, found });
    }
    const misses = outcomes.filter((outcome) => !outcome.found);
    expect(misses.length / outcomes.length).toBeLessThanOrEqual(0.1);
  });
});
