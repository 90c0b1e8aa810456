import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEnvTable } from './env-table';

// nx runs targets from the workspace root.
const readme = join(process.cwd(), 'README.md');
const current = readFileSync(readme, 'utf8');
const next = withEnvTable(current);
if (next === current) {
  process.stdout.write('README.md environment table already up to date\n');
} else {
  writeFileSync(readme, next);
  process.stdout.write('README.md environment table updated\n');
}
