import * as z from 'zod';
import {
  blankToUndefined,
  checkedString,
  documented,
  urlProblem,
  type EnvVarDoc,
} from './env-fields';

/** The user info of a URL as written: from its `//` to the last `@`; undefined without one. */
export function userInfoOf(value: string): string | undefined {
  const afterScheme = value.slice(value.indexOf('//') + 2);
  const at = afterScheme.lastIndexOf('@');
  return at < 0 ? undefined : afterScheme.slice(0, at);
}

/** A `%` that does not start an escape (`%40`): decoding the user info throws on it. */
const MALFORMED_ESCAPE = /%(?![0-9A-Fa-f]{2})/;

/**
 * A user name or password holding a character the URI format reserves. A
 * driver splits the user info at its first `:` and the hosts at an `@`, so
 * `user:P@ss:w0rd@host` is read as the password `P` and a host `ss:w0rd`,
 * and its parse error quotes that host: most of the password.
 */
export function userInfoProblem(userInfo: string): string | undefined {
  const colon = userInfo.indexOf(':');
  const password = colon < 0 ? '' : userInfo.slice(colon + 1);
  if (/[@/?#[\]]/.test(userInfo) || password.includes(':') || MALFORMED_ESCAPE.test(userInfo)) {
    return 'has a user name or password with a character that must be percent-encoded (@ : / ? # [ ] as %40 %3A %2F %3F %23 %5B %5D, and a % not starting such an escape as %25)';
  }
  return undefined;
}

/** The largest database number Redis's SELECT takes (a C int); ioredis sends the path's. */
const MAX_REDIS_DATABASE = 2 ** 31 - 1;

/**
 * What ioredis would misread in a Redis URL. It reads the URL with Node's
 * legacy parser and sends the path after `/` to SELECT as the database, so
 * `/abc` became `SELECT NaN` and an uncaught ReplyError that stopped the
 * service after it had started, on every restart; `/0/extra` is read as
 * database 0 and the rest dropped. It takes every query parameter as a
 * client option (`?tls=true` as a TLS profile named "true"), and turns TLS
 * on only for `rediss://` written in lowercase.
 */
function redisUrlProblem(value: string): string | undefined {
  if (/^rediss?:\/\//i.test(value) && !/^rediss?:\/\//.test(value)) {
    return 'has its scheme in capitals (ioredis turns TLS on only for rediss:// as written)';
  }
  const problem = urlProblem(value, ['redis:', 'rediss:']);
  if (problem) return problem;
  if (value.includes('?')) return 'has a query, which ioredis would take as client options';
  if (value.includes('#')) {
    return 'has a fragment (#…), which ioredis ignores (a # in a password is written %23)';
  }
  const userInfo = userInfoOf(value);
  if (userInfo !== undefined && MALFORMED_ESCAPE.test(userInfo)) {
    return 'has a % in its user name or password that does not start an escape (write it %25)';
  }
  const database = /^\/?$|^\/(\d+)$/.exec(new URL(value).pathname);
  if (!database || Number(database[1] ?? 0) > MAX_REDIS_DATABASE) {
    return 'has a path other than a database number (/0, /1, …)';
  }
  return undefined;
}

/** A Redis URL ioredis reads as written; optional because the in-process stand-ins exist. */
export function optionalRedisUrl(doc: Omit<EnvVarDoc, 'expected'>) {
  const schema = z.preprocess(blankToUndefined, checkedString(redisUrlProblem).optional());
  return documented(schema, {
    ...doc,
    expected:
      'a redis:// or rediss:// URL naming a host, with at most a database number as its path (/0) and no query',
  });
}

/**
 * What fetch and the provider SDKs cannot use in a base URL. fetch refuses a
 * URL with credentials ("Request cannot be constructed from a URL that
 * includes credentials", quoting the URL, password included, in every log
 * line after start-up), and request paths are appended to the text of a
 * base URL, so a query or fragment would end up before the path.
 */
function httpBaseUrlProblem(value: string): string | undefined {
  const problem = urlProblem(value, ['http:', 'https:']);
  if (problem) return problem;
  const url = new URL(value);
  if (url.username !== '' || url.password !== '') {
    return 'has a user name or password in it, which its HTTP client cannot send';
  }
  if (value.includes('?') || value.includes('#')) {
    return 'has a query or fragment, which would end up before every request path';
  }
  return undefined;
}

/** An http(s) base URL called with fetch or undici; optional because each has a default or is off. */
export function optionalHttpUrl(doc: Omit<EnvVarDoc, 'expected'>) {
  const schema = z.preprocess(blankToUndefined, checkedString(httpBaseUrlProblem).optional());
  return documented(schema, {
    ...doc,
    expected: 'an http:// or https:// URL without user name, password, query or fragment',
  });
}

/**
 * The Chroma client keeps scheme, host and port of its URL and calls
 * /api/v2/… at the root: a path prefix (a Chroma behind a proxy at
 * /chroma/) was dropped without a word. A user name and password are sent
 * as Basic credentials (ChromaVectorIndex), so they must decode.
 */
function chromaUrlProblem(value: string): string | undefined {
  const problem = urlProblem(value, ['http:', 'https:']);
  if (problem) return problem;
  const url = new URL(value);
  if (url.pathname !== '/' || value.includes('?') || value.includes('#')) {
    return 'has a path, query or fragment, which the Chroma client drops (it calls /api/v2/… at the root of scheme://host:port)';
  }
  return credentialEscapeProblem(url);
}

/** A user name or password its client decodes, which a `%` starting no escape breaks. */
function credentialEscapeProblem(url: URL): string | undefined {
  return MALFORMED_ESCAPE.test(`${url.username}:${url.password}`)
    ? 'has a % in its user name or password that does not start an escape (write it %25)'
    : undefined;
}

const NEO4J_PROTOCOLS = [
  'neo4j:',
  'neo4j+s:',
  'neo4j+ssc:',
  'bolt:',
  'bolt+s:',
  'bolt+ssc:',
] as const;

/**
 * A Neo4j URI whose credentials the gateway can decode: a `%` that starts no
 * escape in the user name or password stopped the gateway with "URI
 * malformed", naming no variable, and `tools:secrets put` took it (found in
 * review).
 */
function neo4jUrlProblem(value: string): string | undefined {
  const problem = urlProblem(value, NEO4J_PROTOCOLS);
  if (problem) return problem;
  const url = new URL(value);
  return credentialEscapeProblem(url);
}

/** A Neo4j URI with its credentials; optional because the embedded graph stands in. */
export function optionalNeo4jUrl(doc: Omit<EnvVarDoc, 'expected'>) {
  const schema = z.preprocess(blankToUndefined, checkedString(neo4jUrlProblem).optional());
  return documented(schema, {
    ...doc,
    expected: `a ${NEO4J_PROTOCOLS.map((protocol) => `${protocol}//`).join(' or ')} URL`,
  });
}

/** A Chroma server's origin, with Basic credentials if it asks for them. */
export function optionalChromaUrl(doc: Omit<EnvVarDoc, 'expected'>) {
  const schema = z.preprocess(blankToUndefined, checkedString(chromaUrlProblem).optional());
  return documented(schema, {
    ...doc,
    expected:
      'an http:// or https:// origin (scheme://host[:port], or scheme://user:password@host[:port] for Basic auth) without a path',
  });
}
