#!/usr/bin/env node
// /analyze proxy overhead: the gateway bundle proxying to a stub FastAPI
// upstream, next to nginx (Debian) proxying to the same upstream process,
// both with a keep-alive pool to it, at c=50 with autocannon. Subjects are
// measured in alternating rounds so machine noise hits both alike; the
// figure is the ratio of median throughputs. Target: gateway >= 0.6x nginx.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, median, recordResult, root } from './bench-support.mjs';
import {
  processTreeCpuMicros,
  startInOrder,
  startProcess,
  stopChildProcess,
} from './process-support.mjs';

const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const TARGET = 0.6;
const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';
const SERVICE_TOKEN = 'bench-service-token-0123456789abcdef0123456789';

// A realistic request: the first ~8 KB of a licence, a question and metadata
// without a document id (so the gateway does not index what it proxies).
const requestBody = JSON.stringify({
  document: readFileSync(join(root, '../shared/corpus/apache-2.0.txt'), 'utf8').slice(0, 8000),
  question: 'What does the licence say about patents?',
  metadata: { title: 'Apache License 2.0' },
});

async function waitFor(url, expectedBody) {
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      const response = await fetch(url);
      const body = await response.text();
      if (response.status === 200 && body === expectedBody) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** nginx as Debian ships it, one worker (the gateway is one process too), keep-alive upstream pool. */
async function startNginx(upstreamPort) {
  if (!existsSync(NGINX)) {
    throw new Error(
      `${NGINX} is not installed here (apt-get install nginx, as .ci/run does; NGINX=path names another); it is this benchmark's anchor`,
    );
  }
  const port = await freePort();
  const prefix = mkdtempSync(join(tmpdir(), 'dt-bench-nginx-'));
  const token = `bench-nginx-${process.pid}-${port}`;
  writeFileSync(
    join(prefix, 'nginx.conf'),
    `worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  client_max_body_size 4m;
  client_body_buffer_size 64k;
  upstream analyzer { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location = /health { return 200 "${token}"; }
    location /analyze {
      proxy_pass http://analyzer;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Request-Id $request_id;
      proxy_read_timeout 60s;
    }
  }
}
`,
  );
  const child = spawn(
    NGINX,
    ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await stopChildProcess(child, 'SIGQUIT');
    rmSync(prefix, { recursive: true, force: true });
  };
  try {
    // Another process may take the free port first: only our nginx knows the token.
    await waitFor(`${url}/health`, token);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid, stop };
}

async function answeredByUpstream() {
  const response = await fetch(`${upstream.url}/answered`);
  return (await response.json()).answered;
}

/**
 * Analyses the gateway's local engine has served, from its own /metrics: it
 * falls back to it when the upstream fails, and that would not be proxying.
 */
async function localAttempts(url) {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return metrics
    .split('\n')
    .filter((line) =>
      line.startsWith('docuthinker_gateway_provider_attempts_total{provider="local"'),
    )
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/**
 * One autocannon run against `subject`, with the CPU each process spent per
 * answered request: the proxy (nginx's master and worker), the upstream and
 * the load generator (this process). Throughput on a 2-core machine shared by
 * all three moves with the noise; CPU per request moves much less.
 */
async function load(subject) {
  const { url, headers: extraHeaders } = subject;
  const before = await answeredByUpstream();
  const localBefore = subject.isGateway ? await localAttempts(url) : 0;
  const cpuBefore = {
    proxy: processTreeCpuMicros(subject.pid),
    upstream: processTreeCpuMicros(upstream.pid),
    client: process.cpuUsage(),
  };
  const result = await autocannon({
    url: `${url}/analyze`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: DURATION,
    headers: { 'content-type': 'application/json', ...extraHeaders },
    body: requestBody,
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${url} answered ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  // Every answer came from the upstream: it answered at least as many (it
  // also finishes those still in flight when the load stops), and the
  // gateway's local engine served none.
  const forwarded = (await answeredByUpstream()) - before;
  if (forwarded < result.requests.total) {
    throw new Error(
      `${url}: ${result.requests.total} answers but only ${forwarded} came from the upstream`,
    );
  }
  if (subject.isGateway && (await localAttempts(url)) !== localBefore) {
    throw new Error(`${url}: the gateway's local engine served some of the analyses`);
  }
  const answered = result.requests.total;
  const client = process.cpuUsage(cpuBefore.client);
  return {
    result,
    cpuMicrosPerRequest: {
      proxy: (processTreeCpuMicros(subject.pid) - cpuBefore.proxy) / answered,
      upstream: (processTreeCpuMicros(upstream.pid) - cpuBefore.upstream) / answered,
      client: (client.user + client.system) / answered,
    },
  };
}

const gatewayEnvironment = (stub, logLevel) => ({
  DOCUTHINKER_AIML_UPSTREAM_URL: stub.url,
  DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN,
  DOCUTHINKER_LOG_LEVEL: logLevel,
});

const [upstream, nginx, bareNode, undiciPassThrough, fastifyProxy, gatewayLogging, gateway] =
  await startInOrder(
    () => startProcess(join(root, 'tools/bench/anchors/analyze-stub-upstream.cjs')),
    ([stub]) => startNginx(stub.port),
    ([stub]) =>
      startProcess(join(root, 'tools/bench/anchors/bare-node-proxy.cjs'), {
        env: { UPSTREAM_URL: stub.url },
      }),
    ([stub]) =>
      startProcess(join(root, 'tools/bench/anchors/undici-pass-through.cjs'), {
        env: { UPSTREAM_URL: stub.url },
      }),
    ([stub]) =>
      startProcess(join(root, 'tools/bench/anchors/fastify-http-proxy.cjs'), {
        env: { UPSTREAM_URL: stub.url },
      }),
    ([stub]) =>
      startProcess(join(root, 'dist/apps/aiml-gateway/main.js'), {
        env: gatewayEnvironment(stub, 'info'),
      }),
    ([stub]) =>
      startProcess(join(root, 'dist/apps/aiml-gateway/main.js'), {
        env: gatewayEnvironment(stub, 'warn'),
      }),
  );
const subjects = [
  { name: 'nginx (Debian) → stub upstream (anchor)', ...nginx, headers: {} },
  {
    name: 'bare node:http pass-through → stub upstream (reference)',
    ...bareNode,
    headers: {},
  },
  {
    name: 'undici pass-through, no validation → stub upstream (floor)',
    ...undiciPassThrough,
    headers: {},
  },
  {
    name: 'Fastify 5 + @fastify/http-proxy → stub upstream (reference)',
    ...fastifyProxy,
    headers: {},
  },
  {
    name: 'aiml-gateway at log level info → stub upstream (reference)',
    ...gatewayLogging,
    headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
    isGateway: true,
  },
  {
    name: 'aiml-gateway POST /analyze → stub upstream',
    ...gateway,
    headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
    isGateway: true,
    judged: true,
  },
];
try {
  const served = await fetch(`${gateway.url}/analyze`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SERVICE_TOKEN}` },
    body: requestBody,
  });
  await served.arrayBuffer();
  if (served.headers.get('x-docuthinker-served-by') !== 'upstream') {
    throw new Error(
      `the gateway served /analyze from ${served.headers.get('x-docuthinker-served-by')}, not the upstream`,
    );
  }
  // Warm-up: JIT, pools on both sides.
  for (const subject of subjects) await load(subject);
  const samples = new Map(subjects.map((subject) => [subject.name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const subject of subjects) samples.get(subject.name).push(await load(subject));
  }
  const throughput = (name) =>
    median(samples.get(name).map(({ result }) => result.requests.average));
  const p99 = (name) => median(samples.get(name).map(({ result }) => result.latency.p99));
  const cpu = (name, which) =>
    median(samples.get(name).map(({ cpuMicrosPerRequest }) => cpuMicrosPerRequest[which]));
  const anchor = throughput(subjects[0].name);
  const table = [
    '| Subject | Requests/s (median of rounds) | p99 latency | Proxy CPU per request | Ratio to anchor | Target |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  let failed = false;
  for (const subject of subjects) {
    const value = throughput(subject.name);
    const ratio = value / anchor;
    if (subject.judged && ratio < TARGET) failed = true;
    table.push(
      `| ${subject.name} | ${value.toFixed(0)} | ${p99(subject.name)} ms | ${cpu(subject.name, 'proxy').toFixed(0)} µs | ${ratio.toFixed(2)}× | ${subject.judged ? `≥ ${TARGET}× ${ratio >= TARGET ? 'met' : 'MISSED'}` : '—'} |`,
    );
  }
  console.log(table.join('\n'));
  recordResult({
    title: 'Gateway: /analyze proxy overhead',
    command: 'npx nx run tools:bench-analyze-proxy',
    table,
    notes: [
      `autocannon, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION} s after a warm-up run each;`,
      `request: ${(Buffer.byteLength(requestBody) / 1024).toFixed(1)} KiB JSON (document, question, metadata), service token on the gateway:`,
      "the load balancer routes only /ai/* to the gateway, so /analyze's callers are services inside the VPC holding the service token",
      "(a user token's request takes the Fastify route, with the per-user AI call limit: a review measured about twice the CPU per request).",
      'Upstream: one Node process answering a fixed contract-shaped analysis (`tools/bench/anchors/analyze-stub-upstream.cjs`);',
      'nginx: one worker, keep-alive pool of 64 to the upstream, access log off; the gateway at log level warn, which writes no line',
      'per request; at the default info it writes one per request (the reference row, stdout to /dev/null). All processes share the same cores;',
      "the gateway checks the token (remembered), parses the body (plain JSON.parse; secure-json-parse's scan, Fastify's parser's verdict, only when some object holds a `__proto__` or `constructor` key) and validates it against the contract, then proxies through its fast path ahead of Fastify (`apps/aiml-gateway/src/analyze/proxied-analyze-fast-path.ts`) over undici with cockatiel's retry and circuit breaker, parsing and validating the upstream's answer the same way before it is passed on;",
      `requests/s per round: ${subjects
        .map(
          (subject) =>
            `${subject.name.split(' →')[0]} ${samples
              .get(subject.name)
              .map(({ result }) => result.requests.average.toFixed(0))
              .join(' / ')}`,
        )
        .join('; ')};`,
      `CPU per request (user + system, median of rounds) of the other two processes: upstream ${subjects
        .map((subject) => cpu(subject.name, 'upstream').toFixed(0))
        .join(' / ')} µs and load generator ${subjects
        .map((subject) => cpu(subject.name, 'client').toFixed(0))
        .join(' / ')} µs, in the order of the table;`,
      `every run was checked: the upstream answered at least as many analyses as the proxy, and the gateway's local engine (its /metrics) none. Load average while measuring: ${loadavg()
        .map((value) => value.toFixed(1))
        .join(', ')}.`,
    ],
  });
  process.exitCode = failed ? 1 : 0;
} finally {
  await gateway.stop();
  await gatewayLogging.stop();
  await bareNode.stop();
  await undiciPassThrough.stop();
  await fastifyProxy.stop();
  await nginx.stop();
  await upstream.stop();
}
