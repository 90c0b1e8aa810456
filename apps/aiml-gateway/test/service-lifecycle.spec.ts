import { join } from 'node:path';
import { LOAD_BALANCER_IDLE_TIMEOUT_SECONDS } from '@docuthinker/config';
import { describeServiceLifecycle } from '@docuthinker/testing';

const SERVICE_TOKEN = 'lifecycle-service-token-0123456789abcdef';

describeServiceLifecycle({
  name: 'aiml-gateway',
  bundle: join(__dirname, '../../../dist/apps/aiml-gateway/main.js'),
  requiredInProduction: [
    'DOCUTHINKER_NEO4J_URI',
    'DOCUTHINKER_CHROMA_URL',
    'OPENAI_API_KEY',
    'ANTHROPIC_API_KEY',
    'GOOGLE_API_KEY',
    'DOCUTHINKER_JWT_SECRET',
    'DOCUTHINKER_SERVICE_TOKEN',
  ],
  embeddedProductionEnv: { DOCUTHINKER_AI_PROVIDERS: 'local' },
  loadBalancerIdleTimeoutSeconds: LOAD_BALANCER_IDLE_TIMEOUT_SECONDS,
  jsonRoute: {
    path: '/ai/v1/search',
    env: { DOCUTHINKER_SERVICE_TOKEN: SERVICE_TOKEN },
    headers: { authorization: `Bearer ${SERVICE_TOKEN}` },
  },
  secretEnv: {
    OPENAI_API_KEY: 'sk-openai-key-that-must-never-be-logged',
    ANTHROPIC_API_KEY: 'sk-ant-key-that-must-never-be-logged',
    GOOGLE_API_KEY: 'google-key-that-must-never-be-logged',
    DOCUTHINKER_NEO4J_URI: 'neo4j://neo4j:n3o4j-pa55word-xyz@127.0.0.1:9',
    DOCUTHINKER_CHROMA_URL: 'http://chroma:chr0ma-pa55word-xyz@127.0.0.1:9',
    DOCUTHINKER_JWT_SECRET: 'jwt-signing-key-that-must-never-be-logged-0123456789',
    DOCUTHINKER_SERVICE_TOKEN: 'service-token-that-must-never-be-logged-0123456789',
  },
});
