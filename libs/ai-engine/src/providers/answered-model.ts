import * as z from 'zod';

/**
 * The model a provider's answer says produced it (`gpt-4o-mini-2024-07-18`
 * for the configured `gpt-4o-mini`): what a response reports as its model,
 * since an alias, a proxy or a compatible service may serve another. A value
 * that cannot be a model name (empty, over 200 characters, spaces or control
 * characters) is dropped, and the configured name is reported instead: it
 * reaches clients' responses and logs.
 */
export const answeredModel = z
  .string()
  .regex(/^[\x21-\x7e]{1,200}$/)
  .optional()
  .catch(undefined);
