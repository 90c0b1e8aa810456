import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@docuthinker/runtime';
import type { Stores } from '@docuthinker/stores';
/* eslint-disable @nx/enforce-module-boundaries -- the cross-service suites run both apps in one
   process; they live here so that neither app's project depends on the other */
import { JWT_SECRET } from '../../../aiml-gateway/test/support/test-gateway';
import { createBackendApp, type BackendDependencies } from '../../../backend/src/app';
import { createGatewayClient } from '../../../backend/src/gateway/gateway-client';
import { ApiClient } from '../../../backend/test/support/api-client';
/* eslint-enable @nx/enforce-module-boundaries */

export interface RevokingBackend {
  readonly api: ApiClient;
  close(): Promise<void>;
}

/**
 * The backend's account routes on a loopback port, signing with the test
 * gateway's JWT key and publishing revocations to `tokensValidFrom`: what
 * the token-revocation suites need of it. No outbox worker runs and no route
 * they call makes an AI call, so its gateway client points nowhere.
 */
export async function startRevokingBackend(options: {
  readonly stores: Stores;
  readonly logger: Logger;
  readonly tokensValidFrom: BackendDependencies['tokensValidFrom'];
}): Promise<RevokingBackend> {
  const app = createBackendApp({
    config: {
      corsOrigins: [],
      maxUploadBytes: 1024 * 1024,
      jwtSecret: JWT_SECRET,
      aiCallsPerMinute: 600,
    },
    logger: options.logger,
    stores: options.stores,
    gateway: createGatewayClient({
      baseUrl: 'http://127.0.0.1:9',
      serviceToken: 'unused-service-token-0123456789',
    }),
    extractor: { extract: () => Promise.reject(new Error('these suites upload nothing')) },
    readinessChecks: [],
    onOutboxWork: () => undefined,
    tokensValidFrom: options.tokensValidFrom,
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    api: new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
