import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporaryDirectories } from '@docuthinker/testing';
import { parseURL as parseRedisUrl } from 'ioredis/built/utils';
import { ConfigError, loadBackendConfig, type Environment } from '../src';

const dataDirs = temporaryDirectories('dt-config-');
afterAll(() => dataDirs.removeAll());

function problemsOf(env: Environment) {
  try {
    loadBackendConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be rejected');
}

const productionEnv = {
  NODE_ENV: 'production',
  MONGODB_URI: 'mongodb://db.internal:27017/docuthinker',
  REDIS_URL: 'redis://cache.internal:6379',
  DOCUTHINKER_AIML_URL: 'http://aiml.internal:8000/',
  DOCUTHINKER_DOCUMENTS_BUCKET: 'docuthinker-documents',
  DOCUTHINKER_JWT_SECRET: 'jwt-key-for-config-tests-0123456789',
  DOCUTHINKER_SERVICE_TOKEN: 'service-token-for-config-tests-0123456789',
};

describe('loadBackendConfig', () => {
  it('defaults NODE_ENV to production and PORT to 5000', () => {
    const config = loadBackendConfig(productionEnv);
    expect(config.nodeEnv).toBe('production');
    expect(config.port).toBe(5000);
    expect(config.aimlUrl).toBe('http://aiml.internal:8000');
    expect(config.maxUploadBytes).toBe(25 * 1024 * 1024);
    expect(config.notices).toEqual([]);
  });

  it('returns a frozen object', () => {
    const config = loadBackendConfig(productionEnv);
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  // Found in review: production started with docker/.env.example's placeholders,
  // so anyone who had read the repository could sign tokens.
  it('refuses signing secrets that are not random in production, unless embedded is allowed', () => {
    const guessable = {
      ...productionEnv,
      DOCUTHINKER_JWT_SECRET: 'change-me-local-jwt-key-of-32-characters-or-more',
      DOCUTHINKER_SERVICE_TOKEN: 'a'.repeat(32),
    };
    expect(problemsOf(guessable)).toEqual([
      {
        variable: 'DOCUTHINKER_JWT_SECRET',
        problem: 'is a placeholder ("change-me…"), not a secret',
        expected: expect.stringContaining('openssl rand -hex 32'),
      },
      {
        variable: 'DOCUTHINKER_SERVICE_TOKEN',
        problem: 'has fewer than 10 distinct characters: not a random value',
        expected: expect.stringContaining('DOCUTHINKER_ALLOW_EMBEDDED=true'),
      },
    ]);
    // compose's laptop topology runs in production mode with the example's values.
    expect(loadBackendConfig({ ...guessable, DOCUTHINKER_ALLOW_EMBEDDED: 'true' }).jwtSecret).toBe(
      guessable.DOCUTHINKER_JWT_SECRET,
    );
    expect(loadBackendConfig({ ...guessable, NODE_ENV: 'development' }).serviceToken).toBe(
      guessable.DOCUTHINKER_SERVICE_TOKEN,
    );
  });

  it('lists every missing production variable in one error', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems.map((p) => p.variable).sort()).toEqual(
      [
        'DOCUTHINKER_AIML_URL',
        'DOCUTHINKER_DOCUMENTS_BUCKET',
        'DOCUTHINKER_JWT_SECRET',
        'DOCUTHINKER_SERVICE_TOKEN',
        'MONGODB_URI',
        'REDIS_URL',
      ].sort(),
    );
    for (const problem of problems) {
      expect(problem.problem).toBe('is not set (required in production)');
      expect(problem.expected).toContain('DOCUTHINKER_ALLOW_EMBEDDED=true');
    }
  });

  it('reads an unaccepted NODE_ENV as production, and says so in each requirement', () => {
    const problems = problemsOf({ NODE_ENV: 'staging' });
    expect(problems[0]).toEqual(
      expect.objectContaining({
        variable: 'NODE_ENV',
        problem: 'is not one of the accepted values',
      }),
    );
    const requirements = problems.slice(1);
    expect(requirements.map((p) => p.variable)).toContain('MONGODB_URI');
    for (const problem of requirements) {
      expect(problem.problem).toBe(
        'is not set (required in production, which an unaccepted NODE_ENV is read as)',
      );
    }
  });

  it('treats an unset NODE_ENV as production', () => {
    expect(problemsOf({}).map((p) => p.variable)).toContain('MONGODB_URI');
  });

  it('starts on embedded defaults in production when explicitly allowed, and says which', () => {
    const config = loadBackendConfig({
      NODE_ENV: 'production',
      DOCUTHINKER_ALLOW_EMBEDDED: 'true',
      DOCUTHINKER_DATA_DIR: dataDirs.create(),
    });
    expect(config.mongodbUri).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.aimlUrl).toBe('http://127.0.0.1:8000');
    expect(config.notices.join('\n')).toMatch(/MONGODB_URI is not set: using embedded libSQL/);
    expect(config.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('names DOCUTHINKER_DATA_DIR when the embedded stores could not write there, and only then', () => {
    const file = join(dataDirs.create(), 'a-file');
    writeFileSync(file, '');
    const dataDir = join(file, 'data');
    expect(problemsOf({ NODE_ENV: 'development', DOCUTHINKER_DATA_DIR: dataDir })).toEqual([
      {
        variable: 'DOCUTHINKER_DATA_DIR',
        problem: `names ${dataDir}, which cannot be created: ${file} is a file`,
        expected: 'a directory this process can create or write to',
      },
    ]);
    expect(problemsOf({ NODE_ENV: 'development', DOCUTHINKER_DATA_DIR: file })).toEqual([
      expect.objectContaining({ problem: `names ${file}, which is a file, not a directory` }),
    ]);
    // Production's stores and secrets use no data directory: it is not looked at.
    expect(loadBackendConfig({ ...productionEnv, DOCUTHINKER_DATA_DIR: dataDir }).dataDir).toBe(
      dataDir,
    );
    // Without Redis, revoked tokens are recorded there.
    expect(
      problemsOf({
        ...productionEnv,
        REDIS_URL: '',
        DOCUTHINKER_ALLOW_EMBEDDED: 'true',
        DOCUTHINKER_DATA_DIR: dataDir,
      }),
    ).toEqual([expect.objectContaining({ variable: 'DOCUTHINKER_DATA_DIR' })]);
  });

  it('uses embedded defaults in development and shares generated secrets through the data dir', () => {
    const dir = dataDirs.create();
    const first = loadBackendConfig({ NODE_ENV: 'development', DOCUTHINKER_DATA_DIR: dir });
    const second = loadBackendConfig({ NODE_ENV: 'development', DOCUTHINKER_DATA_DIR: dir });
    expect(second.jwtSecret).toBe(first.jwtSecret);
    expect(second.serviceToken).toBe(first.serviceToken);
    expect(first.jwtSecret).not.toBe(first.serviceToken);
  });

  it.each([
    ['PORT', 'abc', 'is not a whole number'],
    ['PORT', '70000', 'is above 65535'],
    ['PORT', '0', 'is below 1'],
    // Found in an exploratory test: a negative number was "not a whole number".
    ['PORT', '-3', 'is below 1'],
    ['DOCUTHINKER_AI_CALLS_PER_MINUTE', '-3', 'is below 1'],
    ['PORT', '1.5', 'is not a whole number'],
    ['MONGODB_URI', 'http://db', 'is not a valid URL of the accepted kind'],
    ['REDIS_URL', 'not-a-url', 'is not a valid URL of the accepted kind'],
    // Found in review: the parser dropped the space, the clients kept it.
    ['DOCUTHINKER_AIML_URL', 'http://gateway:8000 ', 'has white space in it'],
    ['DOCUTHINKER_SECRETS_PREFIX', 'docuthinker/ ', 'has leading or trailing whitespace'],
    ['NODE_ENV', 'staging', 'is not one of the accepted values'],
    ['DOCUTHINKER_ALLOW_EMBEDDED', 'yes', 'is not an accepted value'],
    ['DOCUTHINKER_JWT_SECRET', 'short', 'is shorter than 32 characters'],
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://ok.example,nope',
      'has an entry that is not an origin URL: entry 2',
    ],
    // Counted as written: an empty field is passed over, but it is a field.
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://ok.example,,nope',
      'has an entry that is not an origin URL: entry 3',
    ],
  ])('rejects %s=%s: %s', (variable, value, message) => {
    const problems = problemsOf({ ...productionEnv, [variable]: value });
    expect(problems).toContainEqual(expect.objectContaining({ variable, problem: message }));
    expect(problems.find((p) => p.variable === variable)?.expected).toMatch(/\w/);
  });

  it.each([
    ['MONGODB_URI', 'mongodb://', 'does not name a host'],
    ['MONGODB_URI', 'mongodb:///docuthinker', 'does not name a host'],
    ['MONGODB_URI', 'mongodb://app:pw@/docuthinker', 'does not name a host'],
    ['MONGODB_URI', 'mongodb://db1:27017,,db2:27017/docs', 'has an empty entry in its host list'],
    ['MONGODB_URI', 'mongodb://db:99999/docs', 'has a port outside 1 to 65535'],
    [
      'MONGODB_URI',
      'mongodb+srv://cluster0.example.net:27017/docs',
      'gives a port, which mongodb+srv:// does not allow',
    ],
    ['REDIS_URL', 'redis://', 'does not name a host'],
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://app.example.com/',
      'has an entry with a path or a trailing slash (an origin is scheme://host[:port] only): entry 1',
    ],
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://ok.example, https://app.example.com/app',
      'has an entry with a path or a trailing slash (an origin is scheme://host[:port] only): entry 2',
    ],
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://App.Example.com',
      'has an entry not written as browsers send it (lowercase, without its default port): entry 1',
    ],
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://app.example.com:443',
      'has an entry not written as browsers send it (lowercase, without its default port): entry 1',
    ],
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'ftp://files.example.com',
      'has an entry that is not an http:// or https:// origin: entry 1',
    ],
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://*.example.com',
      'has a wildcard entry (CORS matches each origin exactly): entry 1',
    ],
    // Refused alike on Node 20 and 24, whose URL parsers differ on them.
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://xn--a.example.com',
      'has an entry whose host has a label that is not valid punycode (xn--…): entry 1',
    ],
    [
      'DOCUTHINKER_CORS_ORIGINS',
      'https://app.xn--abc-.example.com',
      'has an entry whose host has a label that is not valid punycode (xn--…): entry 1',
    ],
    ['DOCUTHINKER_DOCUMENTS_BUCKET', 'ab', 'is not 3 to 63 characters long'],
    ['DOCUTHINKER_DOCUMENTS_BUCKET', 'b'.repeat(64), 'is not 3 to 63 characters long'],
    [
      'DOCUTHINKER_DOCUMENTS_BUCKET',
      'DocuThinker-Documents',
      'has characters other than lowercase letters, digits, dots and hyphens',
    ],
    [
      'DOCUTHINKER_DOCUMENTS_BUCKET',
      'docuthinker_documents',
      'has characters other than lowercase letters, digits, dots and hyphens',
    ],
    [
      'DOCUTHINKER_DOCUMENTS_BUCKET',
      's3://docuthinker-documents',
      'has characters other than lowercase letters, digits, dots and hyphens',
    ],
    [
      'DOCUTHINKER_DOCUMENTS_BUCKET',
      '-docuthinker',
      'does not start and end with a letter or digit',
    ],
    [
      'DOCUTHINKER_DOCUMENTS_BUCKET',
      'docuthinker.',
      'does not start and end with a letter or digit',
    ],
    ['DOCUTHINKER_DOCUMENTS_BUCKET', 'docu..thinker', 'has two dots in a row'],
    ['DOCUTHINKER_DOCUMENTS_BUCKET', '192.168.5.4', 'is formatted as an IP address'],
    [
      'DOCUTHINKER_DOCUMENTS_BUCKET',
      'docuthinker-s3alias',
      'uses a prefix or suffix that S3 reserves',
    ],
  ])('refuses %s=%s, valid in form but wrong: %s', (variable, value, message) => {
    const problems = problemsOf({ ...productionEnv, [variable]: value });
    expect(problems).toEqual([expect.objectContaining({ variable, problem: message })]);
  });

  it('reports each wrong value on its own line naming the variable, without the value', () => {
    try {
      loadBackendConfig({
        ...productionEnv,
        MONGODB_URI: 'mongodb://',
        DOCUTHINKER_CORS_ORIGINS: 'https://web.docs.test/',
        DOCUTHINKER_DOCUMENTS_BUCKET: 'Docs_Bucket',
      });
      throw new Error('expected rejection');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as Error).message.split('\n');
      expect(lines[0]).toBe('Invalid configuration for backend (3 problems):');
      expect(lines.slice(1).map((line) => line.split(':')[0])).toEqual([
        '  - DOCUTHINKER_CORS_ORIGINS',
        '  - MONGODB_URI',
        '  - DOCUTHINKER_DOCUMENTS_BUCKET',
      ]);
      expect((error as Error).message).not.toContain('Docs_Bucket');
      expect((error as Error).message).not.toContain('web.docs.test');
    }
  });

  it('accepts replica-set, SRV, IPv6 and socket MongoDB URIs, exact origins and dotted bucket names', () => {
    for (const uri of [
      'mongodb://app:p%40ss@db1:27017,db2:27017,db3/docs?replicaSet=rs0&tls=true',
      'mongodb+srv://app:pw@cluster0.abcde.mongodb.net/docs?retryWrites=true',
      'mongodb://[::1]:27017/docs',
      'mongodb://%2Ftmp%2Fmongodb-27017.sock/docs',
    ]) {
      expect(loadBackendConfig({ ...productionEnv, MONGODB_URI: uri }).mongodbUri).toBe(uri);
    }
    const config = loadBackendConfig({
      ...productionEnv,
      DOCUTHINKER_CORS_ORIGINS:
        'http://localhost:3000, https://app.example.com:8443, https://xn--bcher-kva.example',
      DOCUTHINKER_DOCUMENTS_BUCKET: 'docuthinker.documents-eu-west-1',
    });
    // An international host in the ASCII form browsers send (bücher.example).
    expect(config.corsOrigins).toEqual([
      'http://localhost:3000',
      'https://app.example.com:8443',
      'https://xn--bcher-kva.example',
    ]);
    expect(config.documentsBucket).toBe('docuthinker.documents-eu-west-1');
  });

  it('reports a bad value and unrelated missing variables together', () => {
    const problems = problemsOf({ NODE_ENV: 'production', PORT: 'x' });
    const variables = problems.map((p) => p.variable);
    expect(variables).toContain('PORT');
    expect(variables).toContain('MONGODB_URI');
    expect(variables).toContain('REDIS_URL');
  });

  it('never puts a value into the error message', () => {
    const secret = 'redis://:hunter2-very-secret@cache:6379';
    try {
      loadBackendConfig({
        NODE_ENV: 'production',
        REDIS_URL: secret.replace('redis:', 'http:'),
        PORT: 'p0rt-secret',
      });
      throw new Error('expected rejection');
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
      expect((error as Error).message).not.toContain('p0rt-secret');
      expect((error as Error).message).toMatch(
        /^Invalid configuration for backend \(\d+ problems\):/,
      );
    }
  });

  it('refuses secret values with whitespace around them, which would be used byte for byte', () => {
    const problems = problemsOf({
      ...productionEnv,
      DOCUTHINKER_SERVICE_TOKEN: `${'service-token-for-config-tests-0123456789'}\n`,
      REDIS_URL: ' redis://cache.internal:6379',
      DOCUTHINKER_JWT_SECRET: '   ',
    });
    expect(problems).toEqual([
      expect.objectContaining({
        variable: 'DOCUTHINKER_JWT_SECRET',
        problem: 'is only whitespace',
      }),
      expect.objectContaining({
        variable: 'DOCUTHINKER_SERVICE_TOKEN',
        problem: 'has leading or trailing whitespace',
      }),
      expect.objectContaining({
        variable: 'REDIS_URL',
        problem: 'has leading or trailing whitespace',
      }),
    ]);
  });

  it('leaves whitespace around values that are not secrets to their own rules', () => {
    expect(problemsOf({ ...productionEnv, PORT: ' 5000' })).toEqual([
      expect.objectContaining({ variable: 'PORT', problem: 'is not a whole number' }),
    ]);
  });

  it('treats empty strings as unset', () => {
    expect(problemsOf({ ...productionEnv, MONGODB_URI: '' }).map((p) => p.variable)).toEqual([
      'MONGODB_URI',
    ]);
  });

  it('parses CORS origins as a list', () => {
    const config = loadBackendConfig({
      ...productionEnv,
      DOCUTHINKER_CORS_ORIGINS: 'https://app.example.com, https://admin.example.com',
    });
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com']);
  });

  it('reads the sign-up and login limits, defaulting to 20 an hour, 30 and 5 per 15 minutes', () => {
    const defaults = loadBackendConfig(productionEnv);
    expect([
      defaults.registrationsPerHour,
      defaults.loginAttemptsPerIp,
      defaults.loginAttemptsPerEmail,
    ]).toEqual([20, 30, 5]);
    const tuned = loadBackendConfig({
      ...productionEnv,
      DOCUTHINKER_REGISTRATIONS_PER_HOUR: '100',
      DOCUTHINKER_LOGIN_ATTEMPTS_PER_IP: '300',
      DOCUTHINKER_LOGIN_ATTEMPTS_PER_EMAIL: '10',
    });
    expect([
      tuned.registrationsPerHour,
      tuned.loginAttemptsPerIp,
      tuned.loginAttemptsPerEmail,
    ]).toEqual([100, 300, 10]);
    const variables = problemsOf({
      ...productionEnv,
      DOCUTHINKER_REGISTRATIONS_PER_HOUR: '0',
      DOCUTHINKER_LOGIN_ATTEMPTS_PER_EMAIL: 'many',
    }).map((problem) => problem.variable);
    expect(variables.sort()).toEqual([
      'DOCUTHINKER_LOGIN_ATTEMPTS_PER_EMAIL',
      'DOCUTHINKER_REGISTRATIONS_PER_HOUR',
    ]);
  });
});

describe('REDIS_URL, as ioredis reads it', () => {
  // Found in an exploratory test: `/abc` passed, and both services started and
  // then died of an uncaught `ReplyError … select NaN`, on every restart.
  it.each([
    ['redis://:pw@127.0.0.1:6391/abc', 'has a path other than a database number (/0, /1, …)'],
    ['redis://cache:6379/0/extra', 'has a path other than a database number (/0, /1, …)'],
    ['redis://cache:6379/-1', 'has a path other than a database number (/0, /1, …)'],
    ['redis://cache:6379/%31', 'has a path other than a database number (/0, /1, …)'],
    ['redis://cache:6379/99999999999', 'has a path other than a database number (/0, /1, …)'],
    ['redis://cache:6379//', 'has a path other than a database number (/0, /1, …)'],
    ['redis://cache:6379?db=3', 'has a query, which ioredis would take as client options'],
    ['redis://cache:6379/0?tls=true', 'has a query, which ioredis would take as client options'],
    [
      'redis://cache:6379#0',
      'has a fragment (#…), which ioredis ignores (a # in a password is written %23)',
    ],
    [
      'REDISS://cache:6379',
      'has its scheme in capitals (ioredis turns TLS on only for rediss:// as written)',
    ],
    [
      'redis://:100%sure@cache:6379',
      'has a % in its user name or password that does not start an escape (write it %25)',
    ],
  ])('refuses %s: %s', (value, message) => {
    expect(problemsOf({ ...productionEnv, REDIS_URL: value })).toEqual([
      expect.objectContaining({ variable: 'REDIS_URL', problem: message }),
    ]);
  });

  it('says so in one line naming REDIS_URL, without the value', () => {
    expect(() =>
      loadBackendConfig({ ...productionEnv, REDIS_URL: 'redis://:s3cret-pw@127.0.0.1:6391/abc' }),
    ).toThrow(
      new Error(
        'Invalid configuration for backend (1 problem):\n' +
          '  - REDIS_URL: has a path other than a database number (/0, /1, …); expected a redis:// or rediss:// URL naming a host, with at most a database number as its path (/0) and no query',
      ),
    );
  });

  it.each([
    ['redis://cache:6379', { host: 'cache', port: '6379' }],
    ['redis://cache:6379/', { host: 'cache', port: '6379' }],
    ['rediss://:p%40ss@cache:6379/15', { host: 'cache', port: '6379', db: '15' }],
    // ioredis splits the user info at its last @, so an unescaped one works.
    ['redis://:p@ss@cache:6379/0', { host: 'cache', port: '6379', db: '0' }],
    ['redis://app:pw@cache', { host: 'cache' }],
    ['redis://[::1]:6379/1', { host: '::1', port: '6379', db: '1' }],
  ])('accepts %s, which ioredis reads as written', (value, read) => {
    expect(loadBackendConfig({ ...productionEnv, REDIS_URL: value }).redisUrl).toBe(value);
    // Host, port and database as written, and no option besides the credentials.
    const options: Record<string, unknown> = { ...parseRedisUrl(value) };
    delete options['username'];
    delete options['password'];
    expect(options).toEqual(read);
  });
});

describe('MONGODB_URI', () => {
  const userInfoProblem =
    'has a user name or password with a character that must be percent-encoded (@ : / ? # [ ] as %40 %3A %2F %3F %23 %5B %5D, and a % not starting such an escape as %25)';

  // Found in an exploratory test: the driver took `ss:w0rdSECRET` for a host,
  // logged it on every retry, and the backend retried for ever.
  it.each([
    'mongodb://user:P@ss:w0rdSECRET@127.0.0.1:1/db',
    'mongodb://us@er:w0rdSECRET@127.0.0.1:1/db',
    'mongodb://user:pass:w0rdSECRET@127.0.0.1:1/db',
    'mongodb://user:pa/ss:w0rdSECRET@127.0.0.1:1/db',
    'mongodb://user:pa?w0rdSECRET@127.0.0.1:1/db',
    'mongodb://user:pa#w0rdSECRET@127.0.0.1:1/db',
    'mongodb://user:100%w0rdSECRET@127.0.0.1:1/db',
    'mongodb+srv://user:P@ss:w0rdSECRET@cluster0.example.net/db',
  ])('refuses %s, with a character to percent-encode, never quoting it', (value) => {
    expect(problemsOf({ ...productionEnv, MONGODB_URI: value })).toEqual([
      { variable: 'MONGODB_URI', problem: userInfoProblem, expected: expect.any(String) },
    ]);
    expect(() => loadBackendConfig({ ...productionEnv, MONGODB_URI: value })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('w0rdSECRET') }),
    );
  });

  // A parse error is no outage: the driver's own parser finds it at start-up.
  it.each([
    ['?bogusOption=1', 'option bogusoption is not supported'],
    ['?authMechanism=NOPE', expect.stringMatching(/^authMechanism one of .*, got NOPE$/)],
    ['?tls=maybe', 'tls/ssl must be either "true" or "false"'],
    ['?tls=true&ssl=false', 'All values of tls/ssl must be the same.'],
    ['?readPreference=nearest-ish', 'Invalid read preference mode "nearest-ish"'],
  ])('refuses options the MongoDB driver refuses: %s', (query, reason) => {
    const [problem] = problemsOf({
      ...productionEnv,
      MONGODB_URI: `mongodb://app:s3cret-pw@db.internal:27017/docs${query}`,
    });
    expect(problem?.variable).toBe('MONGODB_URI');
    const prefix = 'is refused by the MongoDB driver: ';
    expect(problem?.problem.startsWith(prefix)).toBe(true);
    expect(problem?.problem.slice(prefix.length)).toEqual(reason);
  });

  it('refuses a malformed escape where the driver would, and quotes no credential', () => {
    const problems = problemsOf({
      ...productionEnv,
      MONGODB_URI: 'mongodb://app:s3cret-pw@db.internal:27017/d%ZZocs',
    });
    expect(problems).toEqual([
      expect.objectContaining({
        variable: 'MONGODB_URI',
        problem: 'is refused by the MongoDB driver: URI malformed',
      }),
    ]);
  });
});

describe('HTTP URLs called with fetch', () => {
  // Found in an exploratory test: fetch refused every call ("Request cannot be
  // constructed from a URL that includes credentials") and quoted the URL,
  // password included, in every outbox retry's log line.
  it.each([
    [
      'http://svc:pw@127.0.0.1:5602',
      'has a user name or password in it, which its HTTP client cannot send',
    ],
    [
      'http://svc@127.0.0.1:5602',
      'has a user name or password in it, which its HTTP client cannot send',
    ],
    [
      'http://127.0.0.1:5602/?x=1',
      'has a query or fragment, which would end up before every request path',
    ],
    [
      'http://127.0.0.1:5602#top',
      'has a query or fragment, which would end up before every request path',
    ],
  ])('refuses DOCUTHINKER_AIML_URL=%s: %s', (value, message) => {
    expect(problemsOf({ ...productionEnv, DOCUTHINKER_AIML_URL: value })).toEqual([
      expect.objectContaining({ variable: 'DOCUTHINKER_AIML_URL', problem: message }),
    ]);
  });

  it('takes a base URL with a path prefix', () => {
    const config = loadBackendConfig({
      ...productionEnv,
      DOCUTHINKER_AIML_URL: 'https://internal.example/aiml/',
    });
    expect(config.aimlUrl).toBe('https://internal.example/aiml');
  });
});

describe('secrets injected into the environment', () => {
  // Found in an exploratory test: ECS injects a key/value secret as its JSON
  // text, long and varied enough to pass as a signing key.
  it.each([
    ['DOCUTHINKER_JWT_SECRET', '{"jwt":"0123456789abcdef0123456789abcdef"}'],
    ['DOCUTHINKER_SERVICE_TOKEN', ' {"token":"0123456789abcdef0123456789abcdef"}'],
    ['MONGODB_URI', '{"uri":"mongodb://db.internal:27017/docs"}'],
    ['REDIS_URL', '{"url":"redis://cache.internal:6379"}'],
  ])('refuses %s holding a JSON key/value object, never quoting it', (variable, value) => {
    expect(problemsOf({ ...productionEnv, [variable]: value })).toEqual([
      {
        variable,
        problem: 'is a JSON key/value object, but docuthinker secrets are plain strings',
        expected: expect.any(String),
      },
    ]);
  });

  it('leaves JSON in variables that are not secrets to their own rules', () => {
    expect(
      problemsOf({ ...productionEnv, DOCUTHINKER_DATA_DIR: '{"dir":"x"}', PORT: '{}' }),
    ).toEqual([expect.objectContaining({ variable: 'PORT', problem: 'is not a whole number' })]);
  });
});

// The AWS SDK reads these itself (a service's own ahead of the shared one).
describe.each(['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_SECRETS_MANAGER'])(
  '%s',
  (variable) => {
    it.each(['localhost:4566', '127.0.0.1:4566', 'ftp://moto.internal'])(
      'refuses %s, naming the variable',
      (value) => {
        expect(problemsOf({ ...productionEnv, [variable]: value })).toEqual([
          {
            variable,
            problem: 'is not a valid URL of the accepted kind',
            expected: 'a http:// or https:// URL',
          },
        ]);
      },
    );

    it('takes an emulator URL', () => {
      expect(() =>
        loadBackendConfig({ ...productionEnv, [variable]: 'http://127.0.0.1:4566' }),
      ).not.toThrow();
    });
  },
);

describe.each([
  ['true', true],
  ['TRUE', true],
  ['1', true],
  ['false', false],
  ['0', false],
  ['False', false],
])('boolean %s', (raw, expected) => {
  it(`is read as ${expected}`, () => {
    const config = loadBackendConfig({ ...productionEnv, DOCUTHINKER_ALLOW_EMBEDDED: raw });
    expect(config.allowEmbedded).toBe(expected);
  });
});
