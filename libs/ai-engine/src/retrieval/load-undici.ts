import type * as Undici from 'undici';

/**
 * The package name in a variable: esbuild follows only a literal `require`,
 * so the gateway's bundle does not inline a second copy of undici (~1 MB)
 * into main.js for an adapter that only a Chroma deployment loads (the
 * gateway keeps its own undici in undici-module.js for the same reason).
 * At run time it is the `undici` of node_modules, a dependency of every
 * build that bundles this library (the gateway's generated package.json
 * lists it).
 */
const UNDICI = 'undici';

let loaded: typeof Undici | undefined;

/** undici, loaded on first use. */
export function loadUndici(): typeof Undici {
  loaded ??= require(UNDICI) as typeof Undici;
  return loaded;
}
