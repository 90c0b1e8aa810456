import { SettingsError } from '../settings/settings-error';
import { isStageName, STAGE_NAMES } from '../settings/stage-settings';
import { deployedDomainName, deploymentVariableFor } from './deployment-context';

/**
 * `stage-domain.ts <stage>`: prints the domain `nx deploy infra
 * --configuration=<stage>` serves the stage on, from this environment, or
 * nothing when it serves none. The smoke step (tools/ci/steps/smoke.sh) asks
 * this rather than reading the variables itself, so that it probes the very
 * name deploy configured. A malformed value, which deploy refuses too, exits
 * 1 with one line naming the variable.
 */
const stage = process.argv[2];
if (!isStageName(stage)) {
  console.error(`stage must be one of ${STAGE_NAMES.join(', ')} (got ${stage ?? 'nothing'})`);
  process.exit(2);
}
try {
  process.stdout.write(deployedDomainName(stage, process.env) ?? '');
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  const variable = deploymentVariableFor(stage, process.env, error.setting);
  console.error(`${error.message}${variable ? ` (from ${variable})` : ''}`);
  process.exit(1);
}
