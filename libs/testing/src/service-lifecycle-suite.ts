import { request } from 'node:http';
import { connect } from 'node:net';
import { startServiceProcess, type ServiceProcess } from './service-process';
import { temporaryDirectories } from './temporary-directories';
import { waitUntil } from './wait-until';

export interface ServiceLifecycleSpec {
  /** e.g. 'backend' */
  name: string;
  /** Absolute path of the built bundle. */
  bundle: string;
  /** Variables that must be named when production starts with nothing configured. */
  requiredInProduction: string[];
  /** Extra variables that let production start on embedded defaults. */
  embeddedProductionEnv: NodeJS.ProcessEnv;
  /** Secret variables (with values) whose values must never reach the logs. */
  secretEnv: NodeJS.ProcessEnv;
  /**
   * The load balancer's idle timeout: the service must keep an idle
   * connection longer, so that the load balancer always closes first.
   */
  loadBalancerIdleTimeoutSeconds: number;
  /** A route that reads a JSON body, with what a request to it needs past authentication. */
  jsonRoute: { path: string; env?: NodeJS.ProcessEnv; headers?: Record<string, string> };
}

/** Opens a POST whose body never completes, so the server holds an in-flight request. */
function openSlowRequest(url: string, path: string) {
  const target = new URL(path, url);
  const req = request({
    host: target.hostname,
    port: target.port,
    path: target.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': '64' },
  });
  const response = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  req.write('{"hold":"');
  // Connected and the headers flushed; the service then needs a moment more
  // to read them, which the callers give it.
  const sent = new Promise<void>((resolve) =>
    req.once('socket', (socket) => socket.once('connect', () => resolve())),
  );
  return {
    response,
    sent,
    finish: () => req.end(`${'x'.repeat(64 - 11)}"}`),
  };
}

/** One GET on a connection of its own that closes after the answer: nothing left to drain. */
function statusOverClosingConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes `request` as it is on a new connection; resolves with all it got back once closed. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(port), hostname, () => socket.write(request));
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

/**
 * The behaviour every service process shares: health and readiness on
 * embedded defaults, request ids, problem+json 404s, draining on SIGTERM,
 * exit codes, the production configuration rules and secret-free logs.
 * Each app runs it against its own bundle.
 */
export function describeServiceLifecycle(spec: ServiceLifecycleSpec): void {
  const dataDirs = temporaryDirectories('dt-service-');
  const developmentEnv = () => ({
    NODE_ENV: 'development',
    DOCUTHINKER_DATA_DIR: dataDirs.create(),
  });

  describe(`${spec.name} process lifecycle`, () => {
    let service: ServiceProcess | undefined;
    afterEach(async () => {
      await service?.stop('SIGKILL');
      service = undefined;
      // Only once the process is gone: it writes to its data dir until it exits.
      dataDirs.removeAll();
    });

    it('answers /health and /ready on embedded defaults', async () => {
      service = await startServiceProcess(spec.bundle, developmentEnv());
      const health = await fetch(`${service.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${service.url}/ready`);
      expect(ready.status).toBe(200);
      const report = (await ready.json()) as { status: string; dependencies: object };
      expect(report.status).toBe('ready');
      expect(Object.keys(report.dependencies).length).toBeGreaterThan(0);
      // Found in a review: kept 65 s against the load balancer's 120 s, an
      // idle connection could close as the load balancer sent on it (a 502).
      const keptIdleSeconds = Number(
        /timeout=(\d+)/.exec(health.headers.get('keep-alive') ?? '')?.[1],
      );
      expect(keptIdleSeconds).toBeGreaterThan(spec.loadBalancerIdleTimeoutSeconds);
    });

    it('echoes a request id and answers unknown routes with problem+json', async () => {
      service = await startServiceProcess(spec.bundle, developmentEnv());
      const response = await fetch(`${service.url}/no/such/route`, {
        headers: { 'x-request-id': 'trace-123' },
      });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-request-id')).toBe('trace-123');
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toEqual(
        expect.objectContaining({
          status: 404,
          code: 'DT_ERR_ROUTE_NOT_FOUND',
          requestId: 'trace-123',
        }),
      );
      expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/);
    });

    // Found in a security test: Node's own check answered a bare 400 with
    // an empty body, which no log line recorded.
    it('answers an HTTP/1.1 request without a Host header with 400 problem+json, and logs it', async () => {
      service = await startServiceProcess(spec.bundle, developmentEnv());
      const answer = await rawExchange(
        service.url,
        'GET /health HTTP/1.1\r\nConnection: close\r\n\r\n',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toMatch(/content-type: application\/problem\+json/i);
      expect(answer).toContain('"code":"DT_ERR_MALFORMED_REQUEST"');
      const running = service;
      await waitUntil('the log line of the refusal', async () =>
        running.output().includes('ERR_MISSING_HOST_HEADER'),
      );
      // Pipelined behind a request with a Host header, it is answered second (review).
      const pipelined = await rawExchange(
        service.url,
        'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /health HTTP/1.1\r\n\r\n',
      );
      expect(pipelined.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
      // HTTP/1.0 does not require it.
      expect(await rawExchange(service.url, 'GET /health HTTP/1.0\r\n\r\n')).toMatch(
        /^HTTP\/1\.1 200 /,
      );
    });

    // Found in an exploratory test: Node's own answer was a bare 417.
    it('answers an Expect header it does not meet with 417 problem+json, and logs it', async () => {
      service = await startServiceProcess(spec.bundle, developmentEnv());
      const answer = await rawExchange(
        service.url,
        'POST /health HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\nContent-Length: 2\r\n\r\n{}',
      );
      expect(answer).toMatch(/^HTTP\/1\.1 417 /);
      expect(answer).toMatch(/content-type: application\/problem\+json/i);
      expect(answer).toContain('"code":"DT_ERR_EXPECTATION_FAILED"');
      const running = service;
      await waitUntil('the log line of the refusal', async () =>
        running.output().includes('ERR_UNMET_EXPECTATION'),
      );
    });

    it('answers malformed JSON with 400 problem+json', async () => {
      service = await startServiceProcess(spec.bundle, {
        ...developmentEnv(),
        ...spec.jsonRoute.env,
      });
      const response = await fetch(`${service.url}${spec.jsonRoute.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...spec.jsonRoute.headers },
        body: '{"unterminated',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await response.json()).toEqual(
        expect.objectContaining({ status: 400, code: 'DT_ERR_MALFORMED_JSON' }),
      );
    });

    it('lets an in-flight request finish on SIGTERM, then exits 0', async () => {
      service = await startServiceProcess(spec.bundle, developmentEnv());
      const slow = openSlowRequest(service.url, '/health');
      await slow.sent;
      await new Promise((resolve) => setTimeout(resolve, 500));
      service.child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 300));
      slow.finish();
      const status = await slow.response;
      expect(status).toBeGreaterThanOrEqual(200);
      expect(status).toBeLessThan(500);
      expect(await service.exited).toBe(0);
    });

    it('cuts requests still open after the drain timeout and exits 0', async () => {
      service = await startServiceProcess(spec.bundle, {
        ...developmentEnv(),
        DOCUTHINKER_DRAIN_TIMEOUT_MS: '300',
      });
      const stuck = openSlowRequest(service.url, '/health');
      stuck.response.catch(() => undefined);
      await stuck.sent;
      await new Promise((resolve) => setTimeout(resolve, 500));
      const started = Date.now();
      expect(await service.stop('SIGTERM')).toBe(0);
      expect(Date.now() - started).toBeLessThan(3000);
    });

    // Its output can outlive whoever read it (a supervisor killed with SIGKILL,
    // a log pipe gone): the lines it writes then fail, and stopping must not
    // wait on them. Stopping with no connection to drain exits within
    // milliseconds, before the failure of the last lines is even reported.
    it('stops on SIGTERM when nothing reads its output any more', async () => {
      // Waited for without keep-alive: an idle connection would hold the
      // drain for its grace, long enough for the failures to be reported.
      const started = await startServiceProcess(spec.bundle, developmentEnv(), { waitFor: null });
      service = started;
      await waitUntil('the service answers', async () =>
        statusOverClosingConnection(`${started.url}/health`).then(
          (status) => status === 200,
          () => false,
        ),
      );
      service.child.stdout?.destroy();
      service.child.stderr?.destroy();
      expect(await statusOverClosingConnection(`${service.url}/health`)).toBe(200);
      service.child.kill('SIGTERM');
      const outcome = await Promise.race([
        service.exited,
        new Promise((resolve) => setTimeout(() => resolve('still running after 5 s'), 5000)),
      ]);
      expect(outcome).toBe(0);
    });

    it('stops with exit 0 on SIGINT', async () => {
      service = await startServiceProcess(spec.bundle, developmentEnv());
      expect(await service.stop('SIGINT')).toBe(0);
    });

    it('exits 1 in production with nothing configured, naming every missing variable', async () => {
      service = await startServiceProcess(
        spec.bundle,
        { NODE_ENV: 'production', DOCUTHINKER_DATA_DIR: dataDirs.create() },
        { waitFor: null },
      );
      expect(await service.exited).toBe(1);
      const output = service.output();
      expect(output).toMatch(new RegExp(`Invalid configuration for ${spec.name}`));
      for (const variable of spec.requiredInProduction) expect(output).toContain(variable);
    });

    it('starts in production on embedded defaults when explicitly allowed', async () => {
      service = await startServiceProcess(spec.bundle, {
        NODE_ENV: 'production',
        DOCUTHINKER_ALLOW_EMBEDDED: 'true',
        DOCUTHINKER_DATA_DIR: dataDirs.create(),
        ...spec.embeddedProductionEnv,
      });
      expect((await fetch(`${service.url}/ready`)).status).toBe(200);
    });

    it('never writes a secret value to its logs', async () => {
      service = await startServiceProcess(spec.bundle, {
        ...developmentEnv(),
        DOCUTHINKER_LOG_LEVEL: 'debug',
        ...spec.secretEnv,
      });
      const token = spec.secretEnv['DOCUTHINKER_JWT_SECRET'] ?? 'unused';
      await fetch(`${service.url}/ready`);
      await fetch(`${service.url}/nowhere?token=${encodeURIComponent(token)}`, {
        headers: { authorization: `Bearer ${token}`, 'x-service-token': token },
      });
      expect(await service.stop('SIGTERM')).toBe(0);
      const output = service.output();
      expect(output.length).toBeGreaterThan(0);
      for (const [variable, value] of Object.entries(spec.secretEnv)) {
        if (!value) continue;
        expect({ variable, leaked: output.includes(value) }).toEqual({ variable, leaked: false });
        const password = (() => {
          try {
            return decodeURIComponent(new URL(value).password);
          } catch {
            return '';
          }
        })();
        if (password)
          expect({ variable, leaked: output.includes(password) }).toEqual({
            variable,
            leaked: false,
          });
      }
    });
  });
}
