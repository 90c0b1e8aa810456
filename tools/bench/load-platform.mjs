// The processes the load suite measures, and the data it measures them on:
// the built backend and gateway on their embedded defaults (the backend's
// outbox and AI calls go to this gateway, both sharing one service token),
// the bare Express and Fastify anchors, and seeded accounts and documents.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './bench-support.mjs';
import { startProcess } from './process-support.mjs';
import { syntheticDocument } from './synthetic-documents.mjs';

export const SERVICE_TOKEN = 'bench-service-token-0123456789abcdef0123456789';
export const PASSWORD = 'correct horse battery staple';
/** Documents of the reading account: the listing page size, and the corpus ask and search run over. */
export const SEEDED_DOCUMENTS = 20;
export const DOCUMENT_BYTES = 4 * 1024;
const SETTLE_TIMEOUT_MS = 120_000;

/**
 * Starts every process. The services run from a copy of their bundles, so
 * a rebuild during the run (it empties dist/apps/…) cannot pull a worker
 * file from under them; the copy stays inside the workspace so the bundles
 * still resolve node_modules.
 */
export async function startLoadPlatform() {
  const snapshot = join(root, 'dist', `.bench-load-${process.pid}`);
  for (const app of ['backend', 'aiml-gateway']) {
    cpSync(join(root, 'dist', 'apps', app), join(snapshot, app), { recursive: true });
  }
  const started = [];
  const stopAll = async () => {
    await Promise.all(started.map((running) => running.stop()));
    rmSync(snapshot, { recursive: true, force: true });
  };
  try {
    const start = async (file, options) => {
      const running = await startProcess(file, options);
      started.push(running);
      return running;
    };
    const express = await start(join(root, 'tools/bench/anchors/express-hello.cjs'), {
      readyPath: '/hello',
    });
    const fastify = await start(join(root, 'tools/bench/anchors/fastify-hello.cjs'), {
      readyPath: '/ready',
    });
    const gateway = await start(join(snapshot, 'aiml-gateway', 'main.js'), {
      env: {
        DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN,
        DOCUTHINKER_AI_PROVIDERS: 'local',
        DOCUTHINKER_AI_CALLS_PER_MINUTE: '1000000',
      },
    });
    const backend = await start(join(snapshot, 'backend', 'main.js'), {
      env: {
        DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN,
        DOCUTHINKER_AIML_URL: gateway.url,
        // The suite signs up over a thousand accounts from this one machine;
        // the sign-up limiter itself is tested by the backend's suite.
        DOCUTHINKER_REGISTRATIONS_PER_HOUR: '1000000',
        // Its users call AI routes far faster than a person would; the limiter
        // still counts every call (its cost is measured), it never refuses.
        DOCUTHINKER_AI_CALLS_PER_MINUTE: '1000000',
      },
    });
    return { express, fastify, gateway, backend, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function call(url, path, { method = 'GET', headers = {}, body, expect = 200 } = {}) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expect) {
    throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  }
  return text ? JSON.parse(text) : undefined;
}

/** A new account; returns its id and the Authorization header of its access token. */
export async function registerAccount(url, email) {
  const session = await call(url, '/api/auth/register', {
    method: 'POST',
    body: { email, password: PASSWORD },
    expect: 201,
  });
  return { id: session.user.id, email, auth: { authorization: `Bearer ${session.accessToken}` } };
}

/** The backend's outbox jobs not yet confirmed by the gateway, from its /metrics. */
async function pendingOutboxJobs(url) {
  const response = await fetch(`${url}/metrics`);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return text
    .split('\n')
    .filter((line) => line.startsWith('docuthinker_outbox_pending_jobs{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Waits until the gateway has confirmed every index job; returns the seconds it took. */
export async function untilOutboxDrained(url) {
  const started = performance.now();
  while ((await pendingOutboxJobs(url)) > 0) {
    if (performance.now() - started > SETTLE_TIMEOUT_MS) {
      throw new Error(`the outbox still holds jobs after ${SETTLE_TIMEOUT_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return (performance.now() - started) / 1000;
}

/**
 * A reading account with `SEEDED_DOCUMENTS` synthetic documents of a few KB,
 * indexed by the gateway (ask and semantic search need the index); an
 * uploading account, so uploads never change what the reading routes see;
 * and `loginAccounts` accounts that login requests rotate over.
 */
export async function seedAccounts(url, { loginAccounts }) {
  const stamp = `${process.pid}-${Date.now()}`;
  const reader = await registerAccount(url, `load-reader-${stamp}@example.com`);
  for (let index = 0; index < SEEDED_DOCUMENTS; index += 1) {
    const { title, text } = syntheticDocument(index, DOCUMENT_BYTES);
    await call(url, '/api/documents', {
      method: 'POST',
      headers: reader.auth,
      body: { title, text },
      expect: 201,
    });
  }
  const uploader = await registerAccount(url, `load-uploader-${stamp}@example.com`);
  const logins = [];
  for (let index = 0; index < loginAccounts; index += 8) {
    const batch = Array.from({ length: Math.min(8, loginAccounts - index) }, (_unused, n) =>
      registerAccount(url, `load-login-${stamp}-${index + n}@example.com`),
    );
    logins.push(...(await Promise.all(batch)));
  }
  await untilOutboxDrained(url);
  const listed = await call(url, `/api/documents?limit=${SEEDED_DOCUMENTS}`, {
    headers: reader.auth,
  });
  const indexed = listed.items.filter((item) => item.indexStatus === 'indexed').length;
  if (listed.items.length !== SEEDED_DOCUMENTS || indexed !== SEEDED_DOCUMENTS) {
    throw new Error(
      `expected ${SEEDED_DOCUMENTS} indexed documents, got ${listed.items.length} (${indexed} indexed)`,
    );
  }
  return { reader, uploader, logins };
}

/**
 * The login limiter still works at its defaults: wrong passwords, each
 * attempt from `attempt(n)` = { email, clientAddress }, until it answers 429.
 * Returns how many attempts were let through (401) before the first 429.
 */
export async function loginAttemptsBeforeLimit(url, attempt, maxAttempts) {
  for (let n = 1; n <= maxAttempts; n += 1) {
    const { email, clientAddress } = attempt(n);
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress },
      body: JSON.stringify({ email, password: 'not the password' }),
    });
    await response.arrayBuffer();
    if (response.status === 429) return n - 1;
    if (response.status !== 401) throw new Error(`a wrong password answered ${response.status}`);
  }
  throw new Error(`${maxAttempts} wrong passwords were never limited`);
}
