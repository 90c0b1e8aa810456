import { readFileSync } from 'node:fs';
import { splitSentences } from './src/text/sentences';
import { stem } from './src/text/stem';
const f = process.argv[2]!;
const s = splitSentences(readFileSync(f, 'utf8'));
for (const x of s.slice(0, Number(process.argv[3] ?? 25))) console.log(x.isHeading ? 'H' : ' ', x.block, JSON.stringify(x.text.slice(0, 110)));
console.log(s.length);
console.log(['redistributions','redistribute','redistributing','redistribution','licensed','license','licenses','licensing','permitted','permit','permission','warranties','warranty','conditions','retain','retained'].map(w=>w+':'+stem(w)).join(' '));
