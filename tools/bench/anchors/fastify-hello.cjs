'use strict';
// Anchor for the cold-start benchmark: the smallest Fastify server with the
// same /ready route shape, started the same way (plain node, deps from node_modules).
const fastify = require('fastify')();

fastify.get('/ready', async () => ({ status: 'ready' }));
fastify.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => fastify.close().then(() => process.exit(0)));
