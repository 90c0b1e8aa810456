import { createRequire } from 'node:module';
import * as z from 'zod';
import { blankToUndefined, checkedString, documented, type EnvVarDoc } from './env-fields';
import { createRedactor, urlPasswords } from './redact';
import { userInfoProblem } from './url-fields';

/** The one part of the driver used here: its client's constructor, which parses the URI. */
interface MongodbDriver {
  MongoClient: new (uri: string) => unknown;
}

let driver: MongodbDriver | undefined;

/**
 * The MongoDB driver, loaded the first time a URI is checked (the backend
 * loads it next anyway, to connect). Through createRequire, and typed here
 * rather than imported, because the build follows an import of `mongodb`:
 * the gateway, which uses this library but never reads MONGODB_URI, would
 * carry the driver in its bundle and its image's dependencies.
 */
function mongodbDriver(): MongodbDriver {
  driver ??= createRequire(__filename)('mongodb') as MongodbDriver;
  return driver;
}

/** host, [IPv6] or a percent-encoded socket path, then an optional port. */
const MONGODB_HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%-]+)(?::(\d{1,5}))?$/;

function hostListProblem(scheme: string, hostList: string): string | undefined {
  if (hostList === '') return 'does not name a host';
  const hosts = hostList.split(',');
  for (const host of hosts) {
    const parsed = MONGODB_HOST.exec(host);
    if (!parsed) {
      return host === '' ? 'has an empty entry in its host list' : 'has a malformed host';
    }
    const port = parsed[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) {
      return 'has a port outside 1 to 65535';
    }
    if (scheme === 'mongodb+srv' && port !== undefined) {
      return 'gives a port, which mongodb+srv:// does not allow';
    }
  }
  if (scheme === 'mongodb+srv' && hosts.length > 1) {
    return 'names several hosts, which mongodb+srv:// does not allow';
  }
  return undefined;
}

/**
 * What the driver refuses when it reads the URI, before it connects: an
 * unknown option (`?bogusOption=1`), a bad value (`tls=maybe`,
 * `authMechanism=NOPE`), a malformed escape, options that contradict each
 * other. No retry can fix one, so it is a configuration problem, found by
 * the driver's own parser rather than rules copied from it: constructing a
 * client parses the URI and opens nothing. Its message names options and
 * hosts; the URI's user info is masked in case it quotes that too.
 */
function driverRefusal(uri: string): string | undefined {
  const { MongoClient } = mongodbDriver();
  try {
    new MongoClient(uri);
    return undefined;
  } catch (error) {
    const mask = createRedactor([uri, ...urlPasswords(uri)]);
    const reason = mask(error instanceof Error ? error.message : String(error));
    return `is refused by the MongoDB driver: ${reason.replace(/\s+/g, ' ').slice(0, 300)}`;
  }
}

function mongodbUriProblem(value: string): string | undefined {
  const match = /^(mongodb|mongodb\+srv):\/\//.exec(value);
  if (!match) return 'is not a valid URL of the accepted kind';
  const scheme = match[1] as string;
  const rest = value.slice(match[0].length);
  const at = rest.lastIndexOf('@');
  const userInfoError = at < 0 ? undefined : userInfoProblem(rest.slice(0, at));
  if (userInfoError) return userInfoError;
  const hostList = /^[^/?#]*/.exec(rest.slice(at + 1))?.[0] ?? '';
  return hostListProblem(scheme, hostList) ?? driverRefusal(value);
}

/**
 * A MongoDB connection string. The URL parser cannot read a replica set's
 * host list (`h1:27017,h2:27017`), so the user info and the hosts are
 * checked here, by the driver's rules: reserved characters percent-encoded,
 * at least one host, none empty, and for mongodb+srv:// exactly one name
 * without a port; then the driver reads the rest.
 */
export function optionalMongodbUri(doc: Omit<EnvVarDoc, 'expected'>) {
  const schema = z.preprocess(blankToUndefined, checkedString(mongodbUriProblem).optional());
  return documented(schema, { ...doc, expected: 'a mongodb:// or mongodb+srv:// URL' });
}
