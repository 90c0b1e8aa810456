import * as z from 'zod';

/**
 * The model a provider's answer says produced it (`gpt-4o-mini-2024-07-18`
 * for the configured `gpt-4o-mini`): what a response reports as its model,
 * since an alias, a proxy or a compatible service may serve another. A value
 * that cannot be a model name (empty, over 200 characters, anything but
 * letters, digits and `. _ : / @ + -`, which model names are made of:
 * `meta-llama/Llama-3-70b`, `ft:gpt-4o-mini:org::id`) is dropped, and the
 * configured name is reported instead: it reaches clients' responses.
 */
export const answeredModel = z
  .string()
  .regex(/^[A-Za-z0-9][\w.:/@+-]{0,199}$/)
  .optional()
  .catch(undefined);
