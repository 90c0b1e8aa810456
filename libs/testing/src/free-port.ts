import { createServer } from 'node:net';

/** A loopback port that was free a moment ago (the OS picks it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not determine a free port'));
      });
    });
  });
}

/** How a server says the port it was given is taken (Node, Redis, moto, Chroma). */
const PORT_TAKEN = /EADDRINUSE|address already in use/i;
const PORT_ATTEMPTS = 3;

/**
 * Starts something on a port that was free a moment ago, again on another
 * when it failed because the port had been taken meanwhile: test projects
 * run side by side and pick ports the same way. `start`'s error must carry
 * the server's output, where the reason shows.
 */
export async function onAFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(await findFreePort());
    } catch (error) {
      if (attempt >= PORT_ATTEMPTS || !PORT_TAKEN.test(String((error as Error).message))) {
        throw error;
      }
    }
  }
}
