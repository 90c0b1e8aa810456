import type { RunningTopology } from './compose-topology';

/**
 * jest loads globalSetup and globalTeardown as separate modules in one
 * process; a global is the documented way to hand the started topology from
 * one to the other.
 */
const KEY = Symbol.for('docuthinker.integration.topology');
type Holder = { [KEY]?: RunningTopology };

export function setRunningTopology(running: RunningTopology): void {
  (globalThis as Holder)[KEY] = running;
}

export function takeRunningTopology(): RunningTopology | undefined {
  const running = (globalThis as Holder)[KEY];
  delete (globalThis as Holder)[KEY];
  return running;
}
