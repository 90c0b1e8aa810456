/**
 * Whether JSON bytes may hold a `__proto__` or `constructor` key, which the
 * gateway's JSON parsing refuses (secure-json-parse's rules, as Fastify's
 * parser applies them): only if those words, or a `\u` escape that could
 * spell them, are among the bytes. Other bytes parse with plain
 * `JSON.parse` to the same value, for three native searches instead of that
 * parser's two regex passes over the whole text, which were a twentieth of
 * the proxy's CPU per request (docs/benchmarks.md).
 */
export function mayNamePrototypeKey(json: Buffer): boolean {
  return json.includes('__proto__') || json.includes('constructor') || json.includes('\\u');
}
