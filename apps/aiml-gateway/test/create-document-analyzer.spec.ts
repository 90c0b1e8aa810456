import { createServer } from 'node:net';
import { createAiEngine, type AiEngineConfig } from '@docuthinker/ai-engine';
import { temporaryDirectories } from '@docuthinker/testing';
import { createDocumentAnalyzer } from '../src/analyze/create-document-analyzer';

const dataDirs = temporaryDirectories('dt-analyzer-');
afterAll(() => dataDirs.removeAll());

/** A loopback port nothing listens on: the container is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('/analyze while the container is down', () => {
  // Found in review: the fallback chain has no `upstream`, so an override
  // naming only the container left the task no provider, read as 501.
  it('serves a task whose override names only the container from the fallback chain', async () => {
    const config: AiEngineConfig = {
      dataDir: dataDirs.create(),
      syncGraph: false,
      syncVector: false,
      providers: ['upstream', 'local'],
      providerKeys: {},
      upstreamUrl: `http://127.0.0.1:${await closedPort()}`,
      taskProviders: { summary: ['upstream'], sentiment: ['upstream', 'local'] },
    };
    const engine = await createAiEngine(config);
    const analyzer = createDocumentAnalyzer(config, engine, { retries: 0 });
    try {
      const outcome = await analyzer.analyze(
        { document: 'The licence must be kept. Redistribution is permitted under conditions.' },
        {},
        'request-1',
      );
      if (outcome.servedBy !== 'local') throw new Error('expected the local fallback');
      expect(outcome.body).toMatchObject({ degraded: true, providers: { summary: 'local' } });
      expect(outcome.body.summary).toContain('The licence must be kept.');
    } finally {
      analyzer.close();
      await engine.close();
    }
  });
});
