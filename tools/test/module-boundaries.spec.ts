import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '../..');

interface LintMessage {
  ruleId: string | null;
  message: string;
}

/**
 * Lints `code` as if it were a file at `filePath`, with the workspace's
 * rules, through the ESLint CLI (its flat config is ESM, which jest's VM
 * cannot load).
 */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const result = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/eslint/bin/eslint.js'),
      '--stdin',
      '--stdin-filename',
      filePath,
      '--format',
      'json',
    ],
    { cwd: root, input: code, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  const [report] = JSON.parse(result.stdout) as { messages: LintMessage[] }[];
  return (report?.messages ?? [])
    .filter((message) => message.ruleId === '@nx/enforce-module-boundaries')
    .map((message) => message.message);
}

describe('module boundaries', () => {
  it('fails when the backend imports the gateway app', async () => {
    const errors = await boundaryErrors(
      'apps/backend/src/probe.ts',
      "import { createGatewayApp } from '../../aiml-gateway/src/app';\nexport const app = createGatewayApp;\n",
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/Projects cannot be imported by a relative or absolute path/);
  });

  it('fails when the gateway imports the backend app', async () => {
    const errors = await boundaryErrors(
      'apps/aiml-gateway/src/probe.ts',
      "import { createBackendApp } from '../../backend/src/app';\nexport const app = createBackendApp;\n",
    );
    expect(errors).toHaveLength(1);
  });

  it('allows an app to use a shared lib', async () => {
    const errors = await boundaryErrors(
      'apps/backend/src/probe.ts',
      "import { loadBackendConfig } from '@docuthinker/config';\nexport const load = loadBackendConfig;\n",
    );
    expect(errors).toEqual([]);
  });
});
