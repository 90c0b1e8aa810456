import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RAW_TEMPLATE_PATH, renderRawTemplate } from '../template/render-raw-template';

/** Regenerates libs/infra/cloudformation/fargate-service.yaml from the CDK code. */
const target = join(resolve(__dirname, '..', '..'), RAW_TEMPLATE_PATH);
writeFileSync(target, renderRawTemplate().yaml);
console.log(`raw-template: wrote libs/infra/${RAW_TEMPLATE_PATH}`);
