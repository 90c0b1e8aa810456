import { isUtf8 } from 'node:buffer';
import { scan } from 'secure-json-parse';
import { holdsMoreJsonValuesThan, MAX_JSON_BODY_VALUES } from '@docuthinker/runtime';

/**
 * Whether some object in parsed JSON has an own `__proto__` or `constructor`
 * key: the only keys secure-json-parse's scan can refuse. A walk with an
 * explicit stack, since the nesting depth is the sender's choice. It skips
 * the library's walk for the usual request or answer, which holds neither
 * key: that walk visits every array element through `for…in`, and on the
 * proxied `/analyze` path it was the gateway's largest JavaScript function
 * (~12 µs of CPU a request under perf); skipped, the gateway's CPU per
 * proxied request fell by ~20 % (docs/benchmarks.md).
 */
function mayHoldPrototypeKey(json: object): boolean {
  const pending: object[] = [json];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) {
        if (item !== null && typeof item === 'object') pending.push(item);
      }
      continue;
    }
    if (Object.hasOwn(node, '__proto__') || Object.hasOwn(node, 'constructor')) return true;
    for (const value of Object.values(node) as unknown[]) {
      if (value !== null && typeof value === 'object') pending.push(value);
    }
  }
  return false;
}

/**
 * Whether parsed JSON holds a key the gateway's JSON parsing refuses: an own
 * `__proto__`, or a `constructor` whose value has an own `prototype`
 * (secure-json-parse's rules, as Fastify's parser applies them), decided by
 * that library's own scan whenever such a key is there. Plain `JSON.parse`
 * makes such keys own properties, never prototypes, so parsing first and
 * checking the result gives the parser's verdict without its two regex
 * passes over the whole text.
 */
function holdsRefusedPrototypeKey(json: unknown): boolean {
  if (json === null || typeof json !== 'object' || !mayHoldPrototypeKey(json)) return false;
  return scan(json, { safe: true }) === null;
}

/**
 * The value of JSON bytes as the gateway's parsing takes them, or undefined
 * (which no JSON text parses to) for bytes it refuses: not UTF-8 (decoding
 * would hide them behind U+FFFD), not JSON (a byte order mark included,
 * which the route's parser skips: such bodies go the route's way), holding
 * more values than MAX_JSON_BODY_VALUES (counted before the parse, which
 * they would stall), or holding a refused prototype key.
 */
export function parseAcceptedJson(bytes: Buffer): unknown {
  if (!isUtf8(bytes) || holdsMoreJsonValuesThan(bytes, MAX_JSON_BODY_VALUES)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  return holdsRefusedPrototypeKey(json) ? undefined : json;
}
