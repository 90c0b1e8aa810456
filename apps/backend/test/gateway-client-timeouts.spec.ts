import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gatewayFields } from '@docuthinker/config';
import { GATEWAY_CLIENT_DEFAULTS, createGatewayClient } from '../src/gateway/gateway-client';
import { GatewayUnavailableError } from '../src/gateway/gateway-errors';

describe('the backend waiting for the gateway', () => {
  // The gateway answers from its offline engine once its AI deadline passes;
  // the backend must still be waiting then, or users get a 503 instead.
  it('waits longer than the gateway takes to answer an AI call at the latest', () => {
    const deadline = gatewayFields.DOCUTHINKER_AI_DEADLINE_MS;
    const longestDeadlineMs = 45_000;
    expect(deadline.parse(undefined)).toBe(longestDeadlineMs);
    expect(deadline.parse(String(longestDeadlineMs))).toBe(longestDeadlineMs);
    // No configuration can make the gateway outlast the backend's wait.
    expect(deadline.safeParse(String(longestDeadlineMs + 1)).success).toBe(false);
    expect(GATEWAY_CLIENT_DEFAULTS.requestTimeoutMs).toBeGreaterThanOrEqual(
      longestDeadlineMs + 5_000,
    );
  });

  describe("erasing an account's index", () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      // A gateway that takes 600 ms over every index removal, as a large account's would.
      server = createServer((request, response) => {
        setTimeout(() => {
          const ownerId = new URL(request.url ?? '/', 'http://gateway').searchParams.get('ownerId');
          response.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              ownerId,
              documentId: 'doc-1',
              removed: 3,
              vector: { enabled: true, removed: 3, documents: 1 },
              graph: { enabled: true, removedDocuments: 1, removedEntities: 2 },
            }),
          );
        }, 600);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('waits for it as long as a purge may take, not the index timeout', async () => {
      const gateway = createGatewayClient({
        baseUrl: url,
        serviceToken: 'service-token',
        indexTimeoutMs: 200,
        purgeTimeoutMs: 5000,
      });
      await expect(gateway.removeOwnerFromIndex('owner-1')).resolves.toBeUndefined();
      // A single document's removal still has the index timeout.
      await expect(gateway.removeFromIndex('owner-1', 'doc-1')).rejects.toBeInstanceOf(
        GatewayUnavailableError,
      );
      expect(GATEWAY_CLIENT_DEFAULTS.purgeTimeoutMs).toBeGreaterThan(
        GATEWAY_CLIENT_DEFAULTS.indexTimeoutMs * 5,
      );
    });
  });
});
