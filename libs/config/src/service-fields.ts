import type * as z from 'zod';
import { backendFields } from './backend-config';
import { gatewayFields } from './gateway-config';
import type { ServiceName } from './secret-catalogue';

/** The variables a service reads, each with the schema it validates it by at start-up. */
export function fieldsOf(service: ServiceName): Readonly<Record<string, z.ZodType>> {
  return service === 'backend' ? backendFields : gatewayFields;
}
