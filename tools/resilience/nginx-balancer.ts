import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findFreePort,
  httpAnswers,
  startLocalService,
  type RunningService,
} from '@docuthinker/testing';

const NGINX = '/usr/sbin/nginx';

/**
 * The ALB stand-in: Debian's nginx round-robins over the backends with
 * keep-alive connections to them, as an ALB does to its targets. Like the
 * ALB it only moves a request to the other target when the connection
 * fails before the request was sent (a refused connect), never after, so a
 * backend that drops requests while it restarts shows up as failures.
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
  access_log off;
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
