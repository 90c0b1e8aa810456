import { join } from 'node:path';
import type * as Undici from 'undici';

let loaded: typeof Undici | undefined;

/**
 * undici, loaded on first use. The path is computed at run time so that the
 * bundler leaves this `require` alone: in the build it finds
 * undici-module.js beside main.js, from the sources (tests) the TypeScript
 * module next to this file. Both live beside the entry point for that reason.
 */
export function loadUndici(): typeof Undici {
  loaded ??= require(join(__dirname, 'undici-module')) as typeof Undici;
  return loaded;
}
