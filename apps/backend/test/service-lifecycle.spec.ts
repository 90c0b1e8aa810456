import { join } from 'node:path';
import { LOAD_BALANCER_IDLE_TIMEOUT_SECONDS } from '@docuthinker/config';
import { describeServiceLifecycle } from '@docuthinker/testing';

describeServiceLifecycle({
  name: 'backend',
  bundle: join(__dirname, '../../../dist/apps/backend/main.js'),
  requiredInProduction: [
    'MONGODB_URI',
    'REDIS_URL',
    'DOCUTHINKER_AIML_URL',
    'DOCUTHINKER_DOCUMENTS_BUCKET',
    'DOCUTHINKER_JWT_SECRET',
    'DOCUTHINKER_SERVICE_TOKEN',
  ],
  embeddedProductionEnv: {},
  loadBalancerIdleTimeoutSeconds: LOAD_BALANCER_IDLE_TIMEOUT_SECONDS,
  jsonRoute: { path: '/api/auth/login' },
  secretEnv: {
    // Unreachable stores: /ready reports them down, which logs their errors too.
    MONGODB_URI: 'mongodb://docuthinker:m0ngo-pa55word-xyz@127.0.0.1:9/docs',
    REDIS_URL: 'redis://:r3dis-pa55word-xyz@127.0.0.1:9',
    DOCUTHINKER_JWT_SECRET: 'jwt-signing-key-that-must-never-be-logged-0123456789',
    DOCUTHINKER_SERVICE_TOKEN: 'service-token-that-must-never-be-logged-0123456789',
  },
});
