import { spawnSync } from 'node:child_process';

export function commandWorks(command: string, args: string[]): boolean {
  return spawnSync(command, args, { encoding: 'utf8' }).status === 0;
}

/** One visible line when a check cannot run here, so a missing tool never passes for a clean result. */
export function announceSkipped(check: string, reason: string): void {
  process.stdout.write(`SKIPPED (${reason}): ${check}\n`);
}
