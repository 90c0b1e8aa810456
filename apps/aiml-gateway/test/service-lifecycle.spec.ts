import { join } from 'node:path';
import { describeServiceLifecycle } from '@docuthinker/testing';

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
