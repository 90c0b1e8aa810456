import { readFileSync } from 'node:fs';
import { runOfflineTask } from './src/offline/offline-engine';
import { AI_TASKS } from './src/tasks/task-types';
for (const f of ['bsd', 'apache-2.0', 'mpl-2.0']) {
  const text = readFileSync(`/work/shared/corpus/${f}.txt`, 'utf8');
  console.log('=====', f);
  for (const task of AI_TASKS) {
    const t0 = performance.now();
    try {
      const r = runOfflineTask(task, { text, options: { style: 'plain', language: 'French', summary: 'x', instructions: 'shorter, focus on patents' } });
      console.log('--', task, (performance.now() - t0).toFixed(1) + 'ms', JSON.stringify(r).slice(0, 900));
    } catch (e) { console.log('--', task, String(e)); }
  }
}
