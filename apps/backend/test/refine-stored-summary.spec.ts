import type { TaskRequest, TaskResponse } from '@docuthinker/contracts';
import { MemoryCacheStore, type DocumentStore } from '@docuthinker/stores';
import type { GatewayClient } from '../src/gateway/gateway-client';
import { AiService } from '../src/services/ai-service';
import { extractiveSummary } from '../src/services/extractive-summary';

// Found by an exploratory test: an upload whose text opened with a zero-width
// space and thousands of spaces got that one invisible character as its
// summary, and refining it sent it to the gateway, which refuses a summary
// that shows nothing: 502 on every try.
describe('refining a stored summary', () => {
  const opening = 'Hello world. The quick brown fox jumps over the lazy dog.';
  const text = `\u200b${' '.repeat(6500)}${opening}`;

  it('summarises an upload from its first visible character', () => {
    expect(extractiveSummary(text)).toBe(opening);
    expect(extractiveSummary(`\u200b\u2060\u00ad\n${opening}`)).toBe(opening);
  });

  it('reads the opening again when the stored summary shows nothing', async () => {
    const sent: TaskRequest[] = [];
    const gateway = {
      runTask: async (_task: string, request: TaskRequest): Promise<TaskResponse> => {
        sent.push(request);
        return {
          task: 'refine-summary',
          output: 'refined',
          provider: 'fake',
          model: 'fake-1',
          degraded: false,
        } as TaskResponse;
      },
    } as unknown as GatewayClient;
    const stored = { id: 'doc-1', title: 'Memo', text, summary: '\u200b', contentHash: 'hash-1' };
    const documents = {
      get: async (ownerId: string, documentId: string) =>
        ownerId === 'owner-1' && documentId === stored.id ? stored : undefined,
      titlesOf: async () => new Map([[stored.id, stored.title]]),
    } as unknown as DocumentStore;
    const service = new AiService(documents, new MemoryCacheStore(), gateway);

    await service.runOnDocument('owner-1', stored.id, 'refine-summary', {
      instructions: 'shorter',
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.options).toEqual({ instructions: 'shorter', summary: opening });

    // A visible stored summary is the one refined, as before.
    stored.summary = '  The memo greets the world.  ';
    await service.runOnDocument('owner-1', stored.id, 'refine-summary', {
      instructions: 'longer',
    });
    expect(sent[1]?.options).toEqual({
      instructions: 'longer',
      summary: 'The memo greets the world.',
    });
  });
});
