import { request, type Agent } from 'node:http';

/**
 * GET `path` on 127.0.0.1 through `agent` (a keep-alive agent keeps the
 * connection for the next call): the status and, if sent, the Connection header.
 */
export function getThrough(
  port: number,
  agent: Agent,
  path = '/',
): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, agent }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          ...(response.headers.connection ? { connection: response.headers.connection } : {}),
        }),
      );
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
