import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeVariables, type Topology } from '../src/compose-topology';
import { requireTopology, topologyFor } from '../src/integration-suite';
import { WORKSPACE_ROOT } from '../src/workspace';
import { callJson, eventually, normalise } from './support/http-json';

const topology = topologyFor(
  'end-to-end register, upload, index, ask and delete through backend and aiml-gateway (compose topology)',
);

/** The shared corpus beside the repository, as the libs' suites read it. */
const CORPUS_DIR =
  process.env['DOCUTHINKER_CORPUS_DIR'] ?? join(WORKSPACE_ROOT, '..', 'shared', 'corpus');
const DOCUMENT = 'apache-2.0.txt';
// Answered by one section of the licence, so the citation has to point at the right passage.
const QUESTION = 'What happens to my patent licenses if I institute patent litigation?';
const ANSWER_PHRASE = 'patent litigation';

interface Session {
  readonly accessToken: string;
  readonly user: { readonly id: string; readonly email: string };
}
interface SearchHit {
  readonly documentId: string;
  readonly chunkId: string;
  readonly text: string;
}
interface Citation {
  readonly documentId: string;
  readonly snippet: string;
}

(topology ? describe : describe.skip)(
  'upload → index → ask → delete on the compose topology',
  () => {
    let stores: Topology;
    let backendUrl: string;
    let gatewayUrl: string;
    let session: Session;
    let documentId: string;
    const email = `integration-${randomUUID()}@example.test`;
    const password = `correct horse ${randomUUID()}`;

    beforeAll(() => {
      stores = requireTopology(topology);
      if (!stores.services)
        throw new Error(stores.servicesMissing ?? 'the services are not running');
      ({ backendUrl, gatewayUrl } = stores.services);
      if (!existsSync(join(CORPUS_DIR, DOCUMENT))) {
        throw new Error(
          `${join(CORPUS_DIR, DOCUMENT)} is missing: set DOCUTHINKER_CORPUS_DIR to the shared corpus`,
        );
      }
    });

    /**
     * What the gateway's index returns for the question, read with the user's
     * own token or, for polling, the backend's service token: a user's vector
     * searches count towards their AI calls per minute, and a slow removal
     * polled with them would run into the limit.
     */
    const indexHits = async (mode: 'vector' | 'lexical', as: 'user' | 'service' = 'user') => {
      const search = await callJson<{ hits: SearchHit[] }>(`${gatewayUrl}/ai/v1/search`, {
        token:
          as === 'user' ? session.accessToken : composeVariables()['DOCUTHINKER_SERVICE_TOKEN'],
        json: { ownerId: session.user.id, query: QUESTION, mode, k: 10 },
      });
      expect(search.status).toBe(200);
      return search.body.hits.filter((hit) => hit.documentId === documentId);
    };

    /** The graph the gateway wrote, read from Neo4j itself. */
    const graphDocuments = async () => {
      const { default: neo4j } = await import('neo4j-driver');
      const url = new URL(stores.neo4jUri);
      const driver = neo4j.driver(
        `bolt://${url.host}`,
        neo4j.auth.basic(decodeURIComponent(url.username), decodeURIComponent(url.password)),
      );
      try {
        const { records } = await driver.executeQuery(
          'MATCH (d:Document {ownerId: $ownerId, id: $documentId}) RETURN count(d) AS documents',
          { ownerId: session.user.id, documentId },
        );
        return Number(records[0]?.get('documents'));
      } finally {
        await driver.close();
      }
    };

    /** The document as the backend stored it in MongoDB, the source of truth. */
    const storedDocument = async () => {
      const { MongoClient } = await import('mongodb');
      const client = new MongoClient(stores.mongoUri);
      try {
        return await client
          .db(stores.mongoDatabase)
          .collection<{ _id: string; ownerId: string }>('documents')
          .findOne({ _id: documentId });
      } finally {
        await client.close();
      }
    };

    it('runs both services on the production stores of the compose file', async () => {
      const backendReady = await callJson(`${backendUrl}/ready`);
      expect(backendReady).toMatchObject({
        status: 200,
        body: { status: 'ready', dependencies: { 'data:mongodb': { status: 'up' } } },
      });
      const gatewayReady = await callJson(`${gatewayUrl}/ready`);
      expect(gatewayReady).toMatchObject({
        status: 200,
        body: {
          status: 'ready',
          dependencies: {
            'vector-index': { adapter: 'chroma', state: 'up' },
            'knowledge-graph': { adapter: 'neo4j', state: 'up' },
          },
        },
      });
    });

    it('registers a user and signs in, counting the attempt in Redis', async () => {
      const registered = await callJson<Session>(`${backendUrl}/api/auth/register`, {
        json: { email, password },
      });
      expect(registered.status).toBe(201);
      session = registered.body;
      expect(session.user.email).toBe(email);

      const login = await callJson<Session>(`${backendUrl}/api/auth/login`, {
        json: { email, password },
      });
      expect(login).toMatchObject({ status: 200, body: { user: { id: session.user.id } } });

      // Login limits are shared between replicas through Redis, so the attempt is there.
      const { Redis } = await import('ioredis');
      const redis = new Redis(stores.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await redis.connect();
        const [, keys] = await redis.scan('0', 'MATCH', 'docuthinker:rate:login-*', 'COUNT', 1000);
        expect(keys.length).toBeGreaterThan(0);
      } finally {
        redis.disconnect();
      }
    });

    it('stores an upload in MongoDB and indexes it into Chroma and Neo4j through the gateway', async () => {
      const form = new FormData();
      form.append(
        'file',
        new Blob([readFileSync(join(CORPUS_DIR, DOCUMENT))], { type: 'text/plain' }),
        DOCUMENT,
      );
      const upload = await callJson<{ id: string }>(`${backendUrl}/api/documents`, {
        token: session.accessToken,
        form,
      });
      expect(upload).toMatchObject({ status: 201, body: { id: expect.any(String) } });
      documentId = upload.body.id;
      expect(await storedDocument()).toMatchObject({ _id: documentId, ownerId: session.user.id });

      const indexed = await eventually('the backend reporting the document indexed', async () => {
        const document = await callJson<{ indexStatus: string }>(
          `${backendUrl}/api/documents/${documentId}`,
          { token: session.accessToken },
        );
        if (document.body.indexStatus === 'failed') throw new Error('indexing failed');
        return document.body.indexStatus === 'indexed' ? document.body : undefined;
      });
      expect(indexed.indexStatus).toBe('indexed');

      const vectorHits = await indexHits('vector');
      expect(vectorHits.length).toBeGreaterThan(0);
      expect(await graphDocuments()).toBe(1);
    });

    it('answers a question from the document and cites the passage that holds the answer', async () => {
      const ask = await callJson<{ answer: string; citations: Citation[] }>(
        `${backendUrl}/api/ask`,
        { token: session.accessToken, json: { question: QUESTION } },
      );
      expect(ask.status).toBe(200);
      expect(ask.body.answer.length).toBeGreaterThan(0);
      const cited = ask.body.citations.filter((citation) => citation.documentId === documentId);
      expect(cited.length).toBeGreaterThan(0);
      expect(
        cited.some((citation) => normalise(citation.snippet).toLowerCase().includes(ANSWER_PHRASE)),
      ).toBe(true);
    });

    it('deletes it: gone from MongoDB, and neither the index nor the graph returns it', async () => {
      const deleted = await callJson(`${backendUrl}/api/documents/${documentId}`, {
        method: 'DELETE',
        token: session.accessToken,
      });
      expect(deleted.status).toBe(204);
      expect(
        (
          await callJson(`${backendUrl}/api/documents/${documentId}`, {
            token: session.accessToken,
          })
        ).status,
      ).toBe(404);
      expect(await storedDocument()).toBeNull();

      // The removal reaches the gateway through the backend's outbox.
      await eventually('the index dropping the document', async () => {
        const [vector, lexical] = await Promise.all([
          indexHits('vector', 'service'),
          indexHits('lexical', 'service'),
        ]);
        return vector.length === 0 && lexical.length === 0 ? true : undefined;
      });
      expect(await graphDocuments()).toBe(0);
    });
  },
);
