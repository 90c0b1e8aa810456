import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findFreePort,
  httpAnswers,
  startLocalService,
  type RunningService,
} from '@docuthinker/testing';

const NGINX = '/usr/sbin/nginx';
/** One line per request: its method, path, and each attempt's upstream status and bytes sent. */
const ATTEMPTS_LOG = 'attempts.log';

/** Where the attempts log of the balancer started in `workDir` ends now (read from there later). */
export function attemptsLogOffset(workDir: string): number {
  const file = join(workDir, 'nginx', ATTEMPTS_LOG);
  return existsSync(file) ? statSync(file).size : 0;
}

/**
 * Requests logged since `offset` that nginx retried after an attempt had
 * already sent bytes to a backend: requests a backend received and dropped
 * (nginx retried them on the other one; an ALB would have answered 502).
 */
export function requestsDroppedAfterSending(workDir: string, offset: number): string[] {
  const file = join(workDir, 'nginx', ATTEMPTS_LOG);
  if (!existsSync(file)) return [];
  const text = readFileSync(file).subarray(offset).toString('utf8');
  return text.split('\n').filter((line) => {
    const bytesSent = /"([^"]*)"$/.exec(line)?.[1] ?? '';
    const attempts = bytesSent.split(/[,:]\s*/).map(Number);
    return attempts.slice(0, -1).some((bytes) => bytes > 0);
  });
}

/**
 * The ALB stand-in: Debian's nginx round-robins over the backends with
 * keep-alive connections to them, as an ALB does to its targets. nginx moves
 * a request to the other backend when its connection fails: a refused
 * connect, as the ALB does, but also (for GET and other idempotent requests)
 * a request a backend received and then dropped, which the ALB would answer
 * 502. Each attempt is logged with the bytes sent to the backend, and
 * `requestsDroppedAfterSending` counts the retried attempts that had sent
 * something: a backend that drops requests while it restarts shows up
 * there, whichever method they had.
 *
 * `max_fails=0` turns off nginx's passive marking: with `max_fails=1` a
 * refused connect benched that backend for `fail_timeout`, and a backend
 * benched just after it came back (its first request still refused) left
 * nginx with no live upstream for a moment when the other one stopped next,
 * answering 502 to requests no backend had dropped. Now every request tries
 * the backends in turn and a refused one only costs a loopback connect.
 */
export async function startNginxBalancer(
  workDir: string,
  backendPorts: readonly number[],
): Promise<RunningService> {
  if (!existsSync(NGINX)) {
    throw new Error(
      `${NGINX} is not installed here (apt-get install nginx); the fault suite needs it as the ALB stand-in`,
    );
  }
  const prefix = join(workDir, 'nginx');
  const temp = join(prefix, 'temp');
  mkdirSync(temp, { recursive: true });
  // Workers run as nobody when the master is root: they must be able to buffer bodies here.
  chmodSync(prefix, 0o755);
  chmodSync(temp, 0o777);
  const port = await findFreePort();
  const config = `
worker_processes 1;
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 1024; }
http {
  log_format attempts '$request_method $uri "$upstream_status" "$upstream_bytes_sent"';
  access_log ${join(prefix, ATTEMPTS_LOG)} attempts;
  client_body_temp_path ${temp}/client-body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  client_max_body_size 30m;
  upstream backends {
${backendPorts.map((backend) => `    server 127.0.0.1:${backend} max_fails=0;`).join('\n')}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout;
      proxy_read_timeout 30s;
    }
  }
}
`;
  const configFile = join(prefix, 'nginx.conf');
  writeFileSync(configFile, config);
  return startLocalService({
    name: 'nginx',
    command: NGINX,
    port,
    args: () => [
      '-p',
      prefix,
      '-e',
      join(prefix, 'error.log'),
      '-c',
      configFile,
      '-g',
      `daemon off; pid ${join(prefix, 'nginx.pid')};`,
    ],
    url: () => `http://127.0.0.1:${port}`,
    ready: () => httpAnswers(`http://127.0.0.1:${port}/health`),
  });
}
