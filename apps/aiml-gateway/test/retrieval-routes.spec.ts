import { GATEWAY_API, chatStreamDone } from '@docuthinker/contracts';
import { parseEvents } from './support/server-sent-events';
import { asUser, startTestGateway, type TestGateway } from './support/test-gateway';

const BABBAGE =
  'Charles Babbage designed the Analytical Engine in London. Ada Lovelace wrote the first program for the Analytical Engine. ' +
  'Lovelace saw that the engine could compose music.';
const ENGINE =
  'The Analytical Engine of Charles Babbage was never finished in London. Its mill and store anticipate the processor and memory.';
const BOBS_BABBAGE =
  'Charles Babbage corresponded with Michael Faraday. Faraday lectured at the Royal Institution about electromagnetic induction.';

describe('retrieval routes on the embedded stores', () => {
  let gateway: TestGateway;
  const index = (ownerId: string, documentId: string, title: string, text: string) =>
    gateway.service({
      method: 'POST',
      url: GATEWAY_API.index,
      payload: { ownerId, documentId, title, text },
    });
  const search = (payload: object) =>
    gateway.service({ method: 'POST', url: GATEWAY_API.search, payload });

  beforeAll(async () => {
    gateway = await startTestGateway();
    // Interleaved owners; bob reuses alice's document id on purpose.
    expect((await index('alice', 'babbage', 'Babbage and Lovelace', BABBAGE)).statusCode).toBe(200);
    expect((await index('bob', 'babbage', 'Babbage and Faraday', BOBS_BABBAGE)).statusCode).toBe(
      200,
    );
    expect((await index('alice', 'engine', 'The Analytical Engine', ENGINE)).statusCode).toBe(200);
  });
  afterAll(() => gateway.close());

  it('indexes a document into both indexes', async () => {
    const response = await index(
      'carol',
      'notes',
      'Notes',
      'Grace Hopper built the first compiler.',
    );
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toEqual({
      documentId: 'notes',
      chunks: 1,
      vector: expect.objectContaining({ upserted: 1 }),
      graph: expect.objectContaining({ nodes: expect.any(Number), edges: expect.any(Number) }),
    });
    expect(body.graph.nodes).toBeGreaterThan(1);
  });

  it('cleans a title as the backend does: no bidirectional controls, one line', async () => {
    // A user token indexes here directly: "invoice<U+202E>gnp.exe" displayed as "invoiceexe.png".
    await index('erin', 'invoice', ' invoice\u202egnp.exe\nsecond line ', BABBAGE);
    await index('erin', 'letter', 'Letter', ENGINE);
    const related = (
      await gateway.service({
        method: 'GET',
        url: `${GATEWAY_API.relatedDocuments('letter')}?ownerId=erin`,
      })
    ).json();
    expect(related.related.map((document: { title: string }) => document.title)).toEqual([
      'invoicegnp.exe second line',
    ]);
    // Nothing left once cleaned is no title.
    expect((await index('erin', 'blank', '\u202e\u2066', ENGINE)).statusCode).toBe(400);
  });

  // Found in review: a passage rarely names its document, so semantic search
  // and ask could not find a document by its title, not even after a rename.
  it('finds a document by its title in vector and hybrid search, and by its new title after a rename', async () => {
    const text = 'Revenue grew in the third quarter thanks to strong exports of cloves.';
    await index('zoe', 'report', 'Quarterly Zanzibar Report', text);
    await index(
      'zoe',
      'other',
      'Notes on shipping',
      'Ships carried spices and timber along the coast.',
    );
    const topDocument = async (query: string, mode: 'vector' | 'hybrid') =>
      (await search({ ownerId: 'zoe', query, k: 3, mode })).json().hits[0]?.documentId;
    expect(await topDocument('Zanzibar', 'vector')).toBe('report');
    expect(await topDocument('Zanzibar report', 'hybrid')).toBe('report');

    await index('zoe', 'report', 'Pemba Island Summary', text);
    expect(await topDocument('Pemba', 'vector')).toBe('report');
    expect(await topDocument('Zanzibar', 'vector')).toBeUndefined();
    // The chunk is the passage's own text, title or not.
    const hit = (await search({ ownerId: 'zoe', query: 'cloves', k: 1, mode: 'vector' })).json()
      .hits[0];
    expect(hit.text).toBe(text);
  });

  it('keeps one copy when the same document is indexed twice', async () => {
    await index('dave', 'twice', 'Twice', BABBAGE);
    const again = await index('dave', 'twice', 'Twice', BABBAGE);
    expect(again.statusCode).toBe(200);
    const { hits } = (
      await search({ ownerId: 'dave', query: 'Analytical Engine Lovelace', k: 50, mode: 'lexical' })
    ).json();
    const ids = hits.map((hit: { chunkId: string }) => hit.chunkId);
    expect(ids.length).toBe(again.json().chunks);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('replaces the chunks of a document whose text changed', async () => {
    await index('erin', 'zoo', 'Zoo', 'The zebra grazes in the savanna near the river.');
    await index('erin', 'zoo', 'Zoo', 'The giraffe browses acacia leaves near the river.');
    const zebra = (await search({ ownerId: 'erin', query: 'zebra', mode: 'lexical' })).json();
    expect(zebra.hits).toEqual([]);
    const giraffe = (await search({ ownerId: 'erin', query: 'giraffe acacia' })).json();
    expect(giraffe.hits).toHaveLength(1);
    expect(giraffe.hits[0].text).toContain('giraffe');
  });

  // Found in review: the contract accepts any text that is not blank, but a
  // text of decoration lines alone gave no chunks, so its re-index emptied the
  // document's chunks from search and left its graph node behind.
  it.each(['...', '---', '. . .'])(
    'indexes a text of decoration alone (%j) as one chunk, also over an existing document',
    async (text) => {
      const fresh = await index('oscar', `fresh-${text.length}`, 'Fresh', text);
      expect(fresh.statusCode).toBe(200);
      expect(fresh.json()).toMatchObject({ chunks: 1, vector: { upserted: 1 } });

      const documentId = `notes-${text.length}`;
      await index('oscar', documentId, 'Notes', BABBAGE);
      const again = await index('oscar', documentId, 'Notes', text);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({
        documentId,
        chunks: 1,
        vector: { upserted: 1, removed: 1 },
        graph: { nodes: expect.any(Number) },
      });
      // Its chunk and its graph node are still there under its id: removing
      // the document finds both.
      const removed = await gateway.service({
        method: 'DELETE',
        url: `${GATEWAY_API.indexedDocument(documentId)}?ownerId=oscar`,
      });
      expect(removed.json()).toMatchObject({
        vector: { enabled: true, removed: 1 },
        graph: { enabled: true, removedEntities: expect.any(Number) },
      });
    },
  );

  it.each(['hybrid', 'vector', 'lexical'])('searches in %s mode within the owner', async (mode) => {
    const response = await search({
      ownerId: 'alice',
      query: 'Who wrote the first program?',
      mode,
    });
    expect(response.statusCode).toBe(200);
    const { hits } = response.json();
    expect(hits.length).toBeGreaterThan(0);
    expect(hits[0]).toEqual({
      documentId: expect.any(String),
      chunkId: expect.any(String),
      text: expect.any(String),
      score: expect.any(Number),
    });
    for (const hit of hits) expect(hit.text).not.toContain('Faraday');
  });

  it('filters search by document ids', async () => {
    const { hits } = (
      await search({ ownerId: 'alice', query: 'Analytical Engine London', documentIds: ['engine'] })
    ).json();
    expect(hits.length).toBeGreaterThan(0);
    expect(new Set(hits.map((hit: { documentId: string }) => hit.documentId))).toEqual(
      new Set(['engine']),
    );
  });

  it('answers a question with citations that hold the answer', async () => {
    const response = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.ask,
      payload: {
        ownerId: 'alice',
        question: 'Who wrote the first program for the Analytical Engine?',
      },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.answer).toMatch(/Lovelace/);
    expect(body.provider).toBe('local');
    expect(body.citations[0]).toEqual(
      expect.objectContaining({
        documentId: 'babbage',
        snippet: expect.stringContaining('Lovelace'),
      }),
    );
  });

  it('never shows one owner the hits, citations, related documents or entities of another', async () => {
    const bobSearch = (
      await search({ ownerId: 'bob', query: 'Ada Lovelace first program music', k: 50 })
    ).json();
    for (const hit of bobSearch.hits) expect(hit.text).not.toMatch(/Lovelace|mill and store/);
    const bobAsk = (
      await gateway.service({
        method: 'POST',
        url: GATEWAY_API.ask,
        payload: { ownerId: 'bob', question: 'Who wrote the first program?' },
      })
    ).json();
    for (const citation of bobAsk.citations) expect(citation.snippet).not.toMatch(/Lovelace/);
    const bobChat = (
      await gateway.service({
        method: 'POST',
        url: GATEWAY_API.chat,
        payload: {
          ownerId: 'bob',
          messages: [{ role: 'user', content: 'What did Lovelace see?' }],
        },
      })
    ).json();
    for (const citation of bobChat.citations) expect(citation.snippet).not.toMatch(/Lovelace/);
    const bobRelated = (
      await gateway.service({
        method: 'GET',
        url: `${GATEWAY_API.relatedDocuments('babbage')}?ownerId=bob`,
      })
    ).json();
    expect(bobRelated.related).toEqual([]);
    const bobEntities = (
      await gateway.service({ method: 'GET', url: `${GATEWAY_API.entities}?ownerId=bob&limit=100` })
    ).json();
    const names = bobEntities.entities.map((entity: { name: string }) => entity.name);
    expect(names.join(' ')).toMatch(/Faraday/);
    expect(names.join(' ')).not.toMatch(/Lovelace/);
  });

  it('relates documents through shared entities and lists top entities', async () => {
    const related = await gateway.service({
      method: 'GET',
      url: `${GATEWAY_API.relatedDocuments('babbage')}?ownerId=alice&limit=5`,
    });
    expect(related.statusCode).toBe(200);
    expect(related.json()).toEqual({
      documentId: 'babbage',
      related: [
        expect.objectContaining({
          documentId: 'engine',
          title: 'The Analytical Engine',
          sharedEntities: expect.arrayContaining(['Analytical Engine', 'London']),
        }),
      ],
    });
    const entities = await gateway.service({
      method: 'GET',
      url: `${GATEWAY_API.entities}?ownerId=alice&limit=3`,
    });
    expect(entities.statusCode).toBe(200);
    const top = entities.json().entities;
    expect(top.length).toBeLessThanOrEqual(3);
    expect(top[0]).toEqual(
      expect.objectContaining({
        name: expect.any(String),
        documents: 2,
        mentions: expect.any(Number),
      }),
    );
  });

  it('chats as JSON and, with stream: true, as server-sent events of the same reply', async () => {
    const payload = {
      ownerId: 'alice',
      messages: [{ role: 'user', content: 'What could the engine compose according to Lovelace?' }],
    };
    const json = await gateway.service({ method: 'POST', url: GATEWAY_API.chat, payload });
    expect(json.statusCode).toBe(200);
    const reply = json.json();
    expect(reply.reply).toMatch(/music/);
    expect(reply.citations.length).toBeGreaterThan(0);

    const streamed = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.chat,
      payload: { ...payload, stream: true },
    });
    expect(streamed.statusCode).toBe(200);
    expect(streamed.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(streamed.headers['cache-control']).toBe('no-store');
    const events = parseEvents(streamed.body);
    const names = events.map((event) => event.event);
    expect(names.at(-1)).toBe('done');
    expect(names.at(-2)).toBe('citations');
    expect(names.slice(0, -2).every((name) => name === 'delta')).toBe(true);
    const deltas = events
      .filter((event) => event.event === 'delta')
      .map((event) => (event.data as { text: string }).text);
    const done = chatStreamDone.parse(events.at(-1)?.data);
    expect(deltas.join('')).toBe(done.reply);
    expect(done.reply).toBe(reply.reply);
    expect(events.at(-2)?.data).toEqual({ citations: reply.citations });
  });

  it('says whether the document chatted about is indexed: not one uploaded a moment ago', async () => {
    const chat = (documentId: string, content: string, stream = false) =>
      gateway.service({
        method: 'POST',
        url: GATEWAY_API.chat,
        payload: { ownerId: 'alice', documentId, messages: [{ role: 'user', content }], stream },
      });
    expect((await chat('babbage', 'What could the engine compose?')).json()).toMatchObject({
      documentIndexed: true,
    });
    // A question none of it matches: indexed all the same.
    expect((await chat('engine', 'Quarterly tax filings?')).json()).toMatchObject({
      citations: [],
      documentIndexed: true,
    });
    const notIndexed = await chat('uploaded-a-moment-ago', 'What could the engine compose?');
    expect(notIndexed.statusCode).toBe(200);
    expect(notIndexed.json()).toMatchObject({ citations: [], documentIndexed: false });
    // Bob's document of the same id is not alice's.
    expect((await chat('babbage', 'Faraday?')).json().documentIndexed).toBe(true);
    const streamed = parseEvents((await chat('uploaded-a-moment-ago', 'Music?', true)).body);
    expect(chatStreamDone.parse(streamed.at(-1)?.data).documentIndexed).toBe(false);
    // Without a document there is nothing to say.
    const anyDocument = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.chat,
      payload: { ownerId: 'alice', messages: [{ role: 'user', content: 'Music?' }] },
    });
    expect(anyDocument.json()).not.toHaveProperty('documentIndexed');
  });

  it('says whether a few documents asked about are indexed, when nothing of them was found', async () => {
    const ask = (documentIds: string[] | undefined, question = 'What could the engine compose?') =>
      gateway.service({
        method: 'POST',
        url: GATEWAY_API.ask,
        payload: { ownerId: 'alice', question, ...(documentIds ? { documentIds } : {}) },
      });
    const notIndexed = (await ask(['uploaded-a-moment-ago', 'another-one'])).json();
    expect(notIndexed).toMatchObject({ citations: [], documentsIndexed: false });
    // One of them indexed, a question none of it matches: held all the same.
    expect(
      (await ask(['uploaded-a-moment-ago', 'engine'], 'Quarterly tax filings?')).json(),
    ).toMatchObject({ documentsIndexed: true });
    // Found passages say it; more than 20 names, or none, are not checked.
    expect((await ask(['babbage'])).json()).toHaveProperty('documentsIndexed', true);
    const many = Array.from({ length: 21 }, (_, n) => `not-indexed-${n}`);
    expect((await ask(many)).json()).not.toHaveProperty('documentsIndexed');
    expect((await ask(undefined, 'Quarterly tax filings?')).json()).not.toHaveProperty(
      'documentsIndexed',
    );
  });

  it('answers a streaming request that fails validation with problem+json, not a stream', async () => {
    const response = await gateway.service({
      method: 'POST',
      url: GATEWAY_API.chat,
      payload: { ownerId: 'alice', stream: true, messages: [{ role: 'assistant', content: 'hi' }] },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('removes a document: its hits, its entities and its relations go', async () => {
    await index('frank', 'a', 'A', BABBAGE);
    await index('frank', 'b', 'B', ENGINE);
    const removed = await gateway.app.inject({
      method: 'DELETE',
      url: `${GATEWAY_API.indexedDocument('a')}?ownerId=frank`,
      headers: await asUser('frank'),
    });
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({
      documentId: 'a',
      vector: { enabled: true, removed: 1 },
      graph: { enabled: true, removedEntities: expect.any(Number) },
    });
    expect(removed.json().graph.removedEntities).toBeGreaterThan(0);
    const { hits } = (
      await search({ ownerId: 'frank', query: 'Lovelace program music', k: 50 })
    ).json();
    expect(hits.map((hit: { documentId: string }) => hit.documentId)).not.toContain('a');
    const related = (
      await gateway.service({
        method: 'GET',
        url: `${GATEWAY_API.relatedDocuments('b')}?ownerId=frank`,
      })
    ).json();
    expect(related.related).toEqual([]);
    const entities = (
      await gateway.service({
        method: 'GET',
        url: `${GATEWAY_API.entities}?ownerId=frank&limit=100`,
      })
    ).json();
    const names = entities.entities.map((entity: { name: string }) => entity.name).join(' ');
    expect(names).not.toMatch(/Lovelace/);
    expect(names).toMatch(/Babbage/);
    const again = await gateway.service({
      method: 'DELETE',
      url: `${GATEWAY_API.indexedDocument('a')}?ownerId=frank`,
    });
    expect(again.statusCode).toBe(200);
    expect(again.json().vector.removed).toBe(0);
  });

  it("removes everything one owner indexed, and nothing of another owner's", async () => {
    await index('grace', 'first', 'First', BABBAGE);
    await index('grace', 'second', 'Second', ENGINE);
    await index('heidi', 'first', 'Heidi first', BABBAGE);
    const heidisEntities = (
      await gateway.service({ method: 'GET', url: `${GATEWAY_API.entities}?ownerId=heidi` })
    ).json();
    const purged = await gateway.service({
      method: 'DELETE',
      url: `${GATEWAY_API.index}?ownerId=grace`,
    });
    expect(purged.statusCode).toBe(200);
    expect(purged.json()).toEqual({
      ownerId: 'grace',
      vector: { enabled: true, removed: 2, documents: 2 },
      graph: { enabled: true, removedDocuments: 2, removedEntities: expect.any(Number) },
    });
    expect(purged.json().graph.removedEntities).toBeGreaterThan(0);
    const { hits } = (
      await search({ ownerId: 'grace', query: 'Analytical Engine Babbage', k: 50 })
    ).json();
    expect(hits).toEqual([]);
    const gracesEntities = (
      await gateway.service({ method: 'GET', url: `${GATEWAY_API.entities}?ownerId=grace` })
    ).json();
    expect(gracesEntities.entities).toEqual([]);
    expect(
      (
        await gateway.service({ method: 'GET', url: `${GATEWAY_API.entities}?ownerId=heidi` })
      ).json(),
    ).toEqual(heidisEntities);
    const heidisHits = (
      await search({ ownerId: 'heidi', query: 'Analytical Engine Babbage', k: 50 })
    ).json().hits;
    expect(heidisHits.map((hit: { documentId: string }) => hit.documentId)).toEqual(['first']);
    const again = await gateway.service({
      method: 'DELETE',
      url: `${GATEWAY_API.index}?ownerId=grace`,
    });
    expect(again.json()).toEqual({
      ownerId: 'grace',
      vector: { enabled: true, removed: 0, documents: 0 },
      graph: { enabled: true, removedDocuments: 0, removedEntities: 0 },
    });
  });

  it("lets a user erase their own index, never another owner's, and needs an owner from the service", async () => {
    await index('ivan', 'own', 'Own', ENGINE);
    await index('judy', 'kept', 'Kept', ENGINE);
    const othersIndex = await gateway.app.inject({
      method: 'DELETE',
      url: `${GATEWAY_API.index}?ownerId=judy`,
      headers: await asUser('ivan'),
    });
    expect(othersIndex.statusCode).toBe(403);
    expect(othersIndex.json().code).toBe('DT_ERR_OWNER_MISMATCH');
    const own = await gateway.app.inject({
      method: 'DELETE',
      url: GATEWAY_API.index,
      headers: await asUser('ivan'),
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ ownerId: 'ivan', vector: { removed: 1, documents: 1 } });
    const noOwner = await gateway.service({ method: 'DELETE', url: GATEWAY_API.index });
    expect(noOwner.statusCode).toBe(400);
    expect(noOwner.headers['content-type']).toMatch(/^application\/problem\+json/);
    const judysHits = (await search({ ownerId: 'judy', query: 'Analytical Engine', k: 5 })).json()
      .hits;
    expect(judysHits.length).toBeGreaterThan(0);
  });
});
