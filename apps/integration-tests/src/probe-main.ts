import { probeImages } from './probe-images';
import { PROBE_REQUEST_ENV, PROBE_RESULT_PREFIX, type ProbeRequest } from './probe-protocol';

/**
 * Child-process entry of the runtime probe (see container-runtime-probe.ts):
 * reads the request from the environment, prints one result line and exits,
 * so that a pull or a socket still open cannot keep anything alive.
 */
async function main(): Promise<void> {
  const request = JSON.parse(process.env[PROBE_REQUEST_ENV] ?? '') as ProbeRequest;
  const result = await probeImages(request);
  process.stdout.write(`${PROBE_RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`runtime probe failed: ${String(error)}\n`);
    process.exit(1);
  },
);
