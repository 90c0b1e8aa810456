import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withEnvTable } from './env-table';

// nx runs targets from the workspace root.
const readme = join(process.cwd(), 'README.md');
writeFileSync(readme, withEnvTable(readFileSync(readme, 'utf8')));
process.stdout.write('README.md environment table updated\n');
