import { takeRunningTopology } from './running-topology';

/** Removes the compose project, its containers and its volumes: every run starts empty. */
export default async function globalTeardown(): Promise<void> {
  await takeRunningTopology()?.stop();
}
