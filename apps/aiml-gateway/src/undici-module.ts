/**
 * undici, as an entry point of the gateway's build: it becomes
 * undici-module.js beside main.js, loaded by load-undici.ts when the
 * /analyze upstream's pool is first built. Inside main.js its ~1 MB was
 * compiled at every start, also by gateways with no upstream configured.
 */
export * from 'undici';
