'use strict';
// The upstream of the /analyze proxy benchmark: stands in for the FastAPI
// AI/ML container. It reads the whole request body (as the container would)
// and answers a fixed, contract-shaped analysis, so that what the benchmark
// sees is the cost of the proxy in front of it, not of any analysis.
const { createServer } = require('node:http');

const answer = Buffer.from(
  JSON.stringify({
    summary:
      'Redistribution and use in source and binary forms are permitted provided that '.repeat(6),
    topics: ['redistribution', 'binary forms', 'copyright notice', 'warranty', 'liability'],
    qa: 'Redistributions of source code must retain the above copyright notice.',
    discussion: [
      'What counts as a redistribution?',
      'Does the disclaimer hold in every jurisdiction?',
    ],
    insights: ['The licence is permissive.', 'It disclaims every warranty.'],
    document_id: 'bench-document',
    metadata: {},
    sentiment: { label: 'neutral', confidence: 0.12, rationale: 'legal boilerplate' },
    translation: null,
    rag: {
      overview: 'A permissive licence.',
      key_topics: ['redistribution', 'warranty'],
      qa_answer: 'Redistributions of source code must retain the above copyright notice.',
      supporting_context: [
        'Redistributions of source code must retain the above copyright notice.',
      ],
      citations: [
        { chunk_id: 'bench-document:0', snippet: 'Redistributions of source code must retain' },
      ],
    },
    sync: { graph: 'skipped', vector_store: 'skipped' },
  }),
);

// Analyses answered, so the benchmark can check the proxy really forwarded every request.
let answered = 0;

const server = createServer((request, response) => {
  // Drained, not kept: the container parses the body, the stub only has to read it.
  request.resume();
  request.on('end', () => {
    if (request.url === '/health') {
      response.writeHead(200, { 'content-length': 0 }).end();
      return;
    }
    if (request.url === '/answered') {
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ answered }));
      return;
    }
    if (request.method !== 'POST' || request.url !== '/analyze') {
      response.writeHead(404, { 'content-length': 0 }).end();
      return;
    }
    answered += 1;
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': answer.length,
    });
    response.end(answer);
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
