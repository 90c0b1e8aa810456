import { composeImages, composeVariables, startTopology } from './compose-topology';
import { probeContainerRuntime } from './container-runtime-probe';
import { SKIPPED_REASON_ENV, TOPOLOGY_ENV } from './integration-suite';
import { setRunningTopology } from './running-topology';

function milliseconds(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Decides once per run whether the topology can run here and, if so, brings
 * it up for every suite: starting Neo4j, MongoDB and Chroma once instead of
 * per suite is most of the run's time.
 */
export default async function globalSetup(): Promise<void> {
  const images = composeImages(composeVariables());
  const probe = await probeContainerRuntime(
    { pulledImages: images.stores, builtImages: images.services },
    {
      runtimeTimeoutMs: milliseconds('DOCUTHINKER_IT_RUNTIME_TIMEOUT_MS', 15_000),
      pullTimeoutMs: milliseconds('DOCUTHINKER_IT_PULL_TIMEOUT_MS', 300_000),
    },
  );
  if (!probe.available) {
    process.env[SKIPPED_REASON_ENV] = probe.reason;
    return;
  }
  process.stdout.write(
    `\nintegration: ${probe.runtime}; starting docker/docker-compose.yml${probe.unbuiltImages.length > 0 ? ` without the services (${probe.unbuiltImages.join(', ')} not built)` : ''}\n`,
  );
  const running = await startTopology({
    unbuiltImages: probe.unbuiltImages,
    startupTimeoutMs: milliseconds('DOCUTHINKER_IT_STARTUP_TIMEOUT_MS', 300_000),
  });
  setRunningTopology(running);
  process.env[TOPOLOGY_ENV] = JSON.stringify(running.topology);
}
