'use strict';
// Reference for the /analyze proxy benchmark: the set-up the issue calls
// typical (about 0.4x nginx where it was written) — Fastify 5 with
// @fastify/http-proxy (reply-from over undici) and its defaults, no
// logging, validation or auth. Measured here, it says where this machine
// puts that 0.4x.
const Fastify = require('fastify');
const proxy = require('@fastify/http-proxy');

const app = Fastify({ logger: false });
app.get('/health', async () => '');
app.register(proxy, {
  upstream: process.env.UPSTREAM_URL,
  prefix: '/analyze',
  rewritePrefix: '/analyze',
});
app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
