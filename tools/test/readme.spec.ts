import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendFields, gatewayFields } from '@docuthinker/config';
import { renderEnvTable } from '../docs/env-table';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

describe('README', () => {
  it('holds the environment table exactly as libs/config renders it (run nx run tools:env-table)', () => {
    expect(readme).toContain(renderEnvTable());
  });

  it('documents every variable either service reads', () => {
    for (const variable of new Set([
      ...Object.keys(backendFields),
      ...Object.keys(gatewayFields),
    ])) {
      expect(readme).toContain(`| \`${variable}\` |`);
    }
  });

  it('gives a different PORT default per service', () => {
    expect(readme).toMatch(/\| `PORT` \| backend \| `5000` \|/);
    expect(readme).toMatch(/\| `PORT` \| aiml-gateway \| `8000` \|/);
  });

  it('does not hand LLM provider keys to the backend', () => {
    expect(readme).toMatch(/\| `OPENAI_API_KEY` \| aiml-gateway \|/);
    expect(Object.keys(backendFields)).not.toContain('OPENAI_API_KEY');
  });

  it('names the two set-up commands', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toMatch(/^npm test\b/m);
  });
});
