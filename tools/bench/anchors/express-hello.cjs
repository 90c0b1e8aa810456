'use strict';
// Anchor for the backend's throughput benchmark: a bare Express 5 server
// answering a small JSON body, started the same way as the service bundle.
const express = require('express');

const app = express();
app.get('/hello', (_req, res) => res.json({ hello: 'world' }));
const server = app.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
