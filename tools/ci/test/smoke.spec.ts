import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runStepAsync } from './support/run-step';

/** A stand-in load balancer: each path answers 503 its first `failures` times, then 200. */
function flakyServer(
  failures: number,
): Promise<{ server: Server; url: string; hits: Map<string, number> }> {
  const hits = new Map<string, number>();
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const count = (hits.get(path) ?? 0) + 1;
    hits.set(path, count);
    response.statusCode = count > failures ? 200 : 503;
    response.end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}`, hits });
    }),
  );
}

function smoke(url: string, deadlineSeconds: number) {
  return runStepAsync(['smoke'], {
    STAGE: 'staging',
    SMOKE_BASE_URL: url,
    SMOKE_DEADLINE_SECONDS: String(deadlineSeconds),
    SMOKE_INTERVAL_SECONDS: '0.1',
  });
}

describe('smoke', () => {
  let server: Server | undefined;
  afterEach(
    () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
  );

  it('retries /health, /ready and /ai/ready until each answers 200', async () => {
    const flaky = await flakyServer(3);
    server = flaky.server;
    const run = await smoke(flaky.url, 30);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(flaky.hits).toEqual(
      new Map([
        ['/health', 4],
        ['/ready', 4],
        ['/ai/ready', 4],
      ]),
    );
    expect(run.stdout).toContain(`${flaky.url}/health answered 503 (attempt 3); retrying in 0.1s`);
    expect(run.stdout).toContain(`${flaky.url}/ready answered 200 (attempt 4)`);
    expect(run.stdout).toContain(`${flaky.url}/ai/ready answered 200 (attempt 4)`);
    expect(run.stdout).toContain('staging answers /health, /ready and /ai/ready');
  });

  it('fails once the deadline has passed, naming the last answer', async () => {
    const broken = await flakyServer(Number.POSITIVE_INFINITY);
    server = broken.server;
    const started = Date.now();
    const run = await smoke(broken.url, 2);
    const elapsedSeconds = (Date.now() - started) / 1000;
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `${broken.url}/health did not answer 200 within 2s: \\d+ attempts, last answer 503`,
      ),
    );
    // Retried, then stopped by the deadline. How many attempts fit depends on
    // the machine's load (a loaded CI box fitted 3 into bash's shortest second).
    expect(broken.hits.get('/health')).toBeGreaterThanOrEqual(2);
    expect(broken.hits.has('/ready')).toBe(false);
    // The deadline, not the attempt count, ends it: bash's SECONDS ticks in whole seconds.
    expect(elapsedSeconds).toBeGreaterThanOrEqual(1);
    expect(elapsedSeconds).toBeLessThan(15);
  });

  it('counts nothing listening as a failed attempt, not a crash', async () => {
    const closed = await flakyServer(0);
    const { url } = closed;
    await new Promise<void>((resolve) => closed.server.close(() => resolve()));
    const run = await smoke(url, 1);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${url}/health did not answer 200 within 1s`);
    expect(run.stderr).toContain('last answer 000');
  });
});
