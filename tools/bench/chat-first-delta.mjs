#!/usr/bin/env node
// Chat as a user waits for it: the built backend in front of the built
// gateway, whose only model is a local server speaking OpenAI's streamed
// chat-completions format at a fixed pace (PIECES pieces, PIECE_GAP_MS
// apart). The anchor is that model's own reply time, measured in the same
// run. Reported: the time to the first `delta` of a streamed chat and to its
// `done`, and a JSON chat's answer, each as a ratio of the model's reply
// time. A relay that buffers the reply has its first delta at about 1.0x.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { median, recordResult, root } from './bench-support.mjs';
import { startInOrder, startProcess } from './process-support.mjs';

const ROUNDS = Number(process.env.BENCH_RUNS ?? 12);
const PIECES = 40;
const PIECE_GAP_MS = 25;
const SERVICE_TOKEN = 'bench-service-token-0123456789abcdef0123456789';
const DOCUMENT = [
  'Quokkas are small marsupials that live on Rottnest Island near Perth.',
  'They are active at night and feed on grasses, leaves and stems.',
  'Visitors may not feed them, and fines apply to anyone who does.',
].join(' ');

const chunk = (delta, finishReason = null, usage) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    model: 'gpt-bench',
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finishReason }],
    ...(usage ? { usage } : {}),
  })}\n\n`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The model: streamed or whole, its reply takes PIECES × PIECE_GAP_MS. */
async function startModel() {
  const replyTimes = [];
  const server = createServer((request, response) => {
    const chunks = [];
    request.on('data', (part) => chunks.push(part));
    request.on('end', async () => {
      const { stream } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const words = Array.from({ length: PIECES }, (_, index) =>
        index === 0 ? 'Quokkas live on Rottnest Island [1]' : ` and word ${index}`,
      );
      const started = performance.now();
      if (!stream) {
        await sleep(PIECES * PIECE_GAP_MS);
        replyTimes.push(performance.now() - started);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            id: 'chatcmpl-bench',
            object: 'chat.completion',
            model: 'gpt-bench',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: words.join('') },
                finish_reason: 'stop',
              },
            ],
            usage: { prompt_tokens: 50, completion_tokens: PIECES, total_tokens: 50 + PIECES },
          }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const word of words) {
        response.write(chunk({ content: word }));
        await sleep(PIECE_GAP_MS);
      }
      response.write(chunk({}, 'stop'));
      response.write(chunk(undefined, null, { prompt_tokens: 50, completion_tokens: PIECES }));
      response.end('data: [DONE]\n\n');
      replyTimes.push(performance.now() - started);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${server.address().port}/v1`,
    replyTimes,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

async function json(url, path, { method = 'GET', token, body, expect = 200 } = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (response.status !== expect) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** One streamed chat: ms to the first delta and to done. */
async function streamedChat(url, token, documentId) {
  const started = performance.now();
  const response = await fetch(`${url}/api/documents/${documentId}/chat`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify({ message: 'Where do quokkas live?' }),
  });
  if (response.status !== 200) throw new Error(`streamed chat: ${response.status}`);
  let firstDelta;
  let text = '';
  for await (const part of response.body.pipeThrough(new TextDecoderStream())) {
    text += part;
    if (firstDelta === undefined && text.includes('event: delta')) {
      firstDelta = performance.now() - started;
    }
  }
  if (!text.includes('event: done')) throw new Error(`no done event: ${text.slice(-300)}`);
  return { firstDelta, done: performance.now() - started };
}

async function jsonChat(url, token, documentId) {
  const started = performance.now();
  await json(url, `/api/documents/${documentId}/chat`, {
    method: 'POST',
    token,
    body: { message: 'Where do quokkas live?' },
  });
  return performance.now() - started;
}

const model = await startModel();
const [gateway, backend] = await startInOrder(
  () =>
    startProcess(join(root, 'dist/apps/aiml-gateway/main.js'), {
      env: {
        DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN,
        DOCUTHINKER_AI_PROVIDERS: 'openai,local',
        OPENAI_API_KEY: 'sk-bench-placeholder-not-a-key',
        DOCUTHINKER_OPENAI_BASE_URL: model.baseUrl,
        DOCUTHINKER_AI_CALLS_PER_MINUTE: '1000000',
      },
    }),
  ([started]) =>
    startProcess(join(root, 'dist/apps/backend/main.js'), {
      env: {
        DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN,
        DOCUTHINKER_AIML_URL: started.url,
        DOCUTHINKER_AI_CALLS_PER_MINUTE: '1000000',
      },
    }),
);
try {
  const { accessToken: token } = await json(backend.url, '/api/auth/register', {
    method: 'POST',
    body: { email: `bench-${Date.now()}@example.com`, password: 'correct horse battery staple' },
    expect: 201,
  });
  const { id: documentId } = await json(backend.url, '/api/documents', {
    method: 'POST',
    token,
    body: { title: 'Quokkas', text: DOCUMENT },
    expect: 201,
  });
  for (let waited = 0; ; waited += 100) {
    const document = await json(backend.url, `/api/documents/${documentId}`, { token });
    if (document.indexStatus === 'indexed') break;
    if (waited > 30_000) throw new Error('the document was not indexed within 30 s');
    await sleep(100);
  }
  // Warm-up: connections, the JIT, each route once.
  await streamedChat(backend.url, token, documentId);
  await jsonChat(backend.url, token, documentId);
  model.replyTimes.length = 0;

  const firstDeltas = [];
  const streamedDone = [];
  const jsonAnswers = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const streamed = await streamedChat(backend.url, token, documentId);
    firstDeltas.push(streamed.firstDelta);
    streamedDone.push(streamed.done);
    jsonAnswers.push(await jsonChat(backend.url, token, documentId));
  }
  const anchor = median(model.replyTimes);
  const row = (subject, values) => {
    const value = median(values);
    return `| ${subject} | ${value.toFixed(0)} ms | ${(value / anchor).toFixed(2)}× |`;
  };
  recordResult({
    title: 'Chat: time to the first streamed delta',
    command: 'npx nx run tools:bench-chat-first-delta',
    table: [
      '| Subject | Median | Ratio to the model’s reply time |',
      '| --- | --- | --- |',
      row('the model’s own reply, first piece to last (anchor)', model.replyTimes),
      row('streamed chat through backend and gateway: first `delta`', firstDeltas),
      row('streamed chat: `done` (the turn stored)', streamedDone),
      row('JSON chat: the answer', jsonAnswers),
    ],
    notes: [
      `${ROUNDS} rounds, streamed and JSON chats interleaved, after one warm-up of each; the model is a local server ` +
        `speaking OpenAI's streamed chat-completions format, ${PIECES} pieces ${PIECE_GAP_MS} ms apart (the gateway's ` +
        'only provider before its offline engine); the built backend and gateway on embedded defaults, one user, one ' +
        'indexed document. A relay that waited for the whole reply would have its first delta at about 1.0×.',
    ],
  });
  console.log(
    `first delta ${median(firstDeltas).toFixed(0)} ms, done ${median(streamedDone).toFixed(0)} ms, JSON ${median(jsonAnswers).toFixed(0)} ms, model ${anchor.toFixed(0)} ms`,
  );
} finally {
  await Promise.all([backend.stop(), gateway.stop(), model.stop()]);
}
