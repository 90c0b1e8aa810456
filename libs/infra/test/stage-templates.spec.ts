import { edgeCases } from './cases/edge.cases';
import { networkCases } from './cases/network.cases';
import { registryAndSecretCases } from './cases/registry-and-secrets.cases';
import { scalingAndAlarmCases } from './cases/scaling-and-alarms.cases';
import { servicesCases } from './cases/services.cases';
import { stageDifferenceCases } from './cases/stage-differences.cases';
import { stageFixtures } from './support/stage-fixtures';

/**
 * Assertions on the synthesized templates of every stage. Each stage is
 * synthesized once for this file (synthesis dominates the suite's run time);
 * the cases live in ./cases, one resource group per file.
 */
const stages = stageFixtures();

networkCases(stages);
servicesCases(stages);
edgeCases(stages);
scalingAndAlarmCases(stages);
registryAndSecretCases(stages);
stageDifferenceCases(stages);
