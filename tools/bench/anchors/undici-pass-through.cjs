'use strict';
// Reference for the /analyze proxy benchmark: the gateway's own way of
// proxying with everything else taken out — node:http in, the body read
// whole, an undici keep-alive pool out (as the gateway's upstream analyzer),
// the answer read whole and sent with a content-length. No parsing,
// validation, auth, logging, metrics or resilience: the floor a Node process
// proxying like the gateway stands on, on this machine, in this run.
const http = require('node:http');
const { Pool } = require('undici');

const pool = new Pool(process.env.UPSTREAM_URL, { connections: 128, pipelining: 1 });

const server = http.createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-length': 0 }).end();
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    pool
      .request({
        path: '/analyze',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      .then(async (answer) => {
        const bytes = Buffer.from(await answer.body.arrayBuffer());
        response
          .writeHead(answer.statusCode, [
            'content-type',
            'application/json',
            'content-length',
            String(bytes.length),
          ])
          .end(bytes);
      })
      .catch(() => response.writeHead(502, { 'content-length': 0 }).end());
  });
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
