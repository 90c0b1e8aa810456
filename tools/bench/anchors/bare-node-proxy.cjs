'use strict';
// Reference for the /analyze proxy benchmark: the least a Node.js proxy can
// do — node:http in, a no-delay keep-alive http.Agent out, bytes passed
// through, no parsing, validation, auth, logging or resilience. It shows how
// close to nginx a Node process can get on the same machine.
const http = require('node:http');

const upstream = new URL('/analyze', process.env.UPSTREAM_URL);
const agent = new http.Agent({ keepAlive: true, noDelay: true, maxSockets: 128 });

const server = http.createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-length': 0 }).end();
    return;
  }
  const forwarded = http.request(
    upstream,
    {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': request.headers['content-length'],
      },
    },
    (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    },
  );
  forwarded.on('error', () => response.writeHead(502, { 'content-length': 0 }).end());
  request.pipe(forwarded);
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
