// The one SKIPPED line format every testcontainers suite of the workspace prints.
// A relative path: globalSetup imports this file, and jest loads globalSetup
// without the workspace's path aliases.
// eslint-disable-next-line @nx/enforce-module-boundaries -- see above
import { announceSkipped } from '../../../libs/testing/src/container-runtime';
import type { Topology } from './compose-topology';

/** Set by globalSetup for the test files (jest workers inherit its environment). */
export const SKIPPED_REASON_ENV = 'DOCUTHINKER_IT_SKIPPED_REASON';
export const TOPOLOGY_ENV = 'DOCUTHINKER_IT_TOPOLOGY';

/**
 * The running topology for one suite, or undefined after printing that
 * suite's one `SKIPPED (no container runtime): …` line when globalSetup found
 * no runtime that can pull the images.
 */
export function topologyFor(suite: string): Topology | undefined {
  const skipped = process.env[SKIPPED_REASON_ENV];
  if (skipped !== undefined) {
    announceSkipped(suite, skipped);
    return undefined;
  }
  const topology = process.env[TOPOLOGY_ENV];
  if (!topology) {
    throw new Error(
      'no topology: run these suites through `npx nx run integration-tests:integration`, whose globalSetup starts it',
    );
  }
  return JSON.parse(topology) as Topology;
}

/** The topology inside a suite that only runs when there is one. */
export function requireTopology(topology: Topology | undefined): Topology {
  if (!topology) throw new Error('this suite was skipped and has no topology');
  return topology;
}
