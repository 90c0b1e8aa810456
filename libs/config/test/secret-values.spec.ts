import {
  PLATFORM_SECRETS,
  isKeyValueSecretString,
  secretByName,
  secretValueProblem,
  type PlatformSecret,
} from '../src';

const secret = (name: string) => secretByName(name) as PlatformSecret;

/** A value each secret's service accepts. */
const VALID: Record<string, string> = {
  openai: 'sk-proj-abc123',
  anthropic: 'sk-ant-abc123',
  google: 'AIzaSyAbc123',
  neo4j: 'neo4j+s://neo4j:pw@graph.example:7687',
  chroma: 'http://chroma.internal:8000',
  mongodb: 'mongodb://app:pw@db1:27017,db2:27017/docs?replicaSet=rs0',
  redis: 'rediss://:pw@cache.internal:6379',
  jwt: 'jwt-key-for-config-tests-0123456789',
  'service-token': 'service-token-for-config-tests-0123456789',
};

describe('secretValueProblem', () => {
  it('accepts a valid value for every secret of the catalogue', () => {
    expect(Object.keys(VALID).sort()).toEqual(PLATFORM_SECRETS.map((s) => s.name).sort());
    for (const entry of PLATFORM_SECRETS) {
      expect([entry.name, secretValueProblem(entry, VALID[entry.name] as string)]).toEqual([
        entry.name,
        undefined,
      ]);
    }
  });

  it.each([
    ['jwt', '', 'is empty'],
    ['openai', '   ', 'is only whitespace'],
    ['jwt', ` ${'jwt-key-for-config-tests-0123456789'}`, 'has leading or trailing whitespace'],
    ['redis', 'redis://cache:6379\n', 'has leading or trailing whitespace'],
    ['jwt', 'short-jwt-key', 'is shorter than 32 characters'],
    ['service-token', 't'.repeat(31), 'is shorter than 32 characters'],
    // Found in review: docker/.env.example's placeholders could be put as production's.
    [
      'jwt',
      'change-me-local-jwt-key-of-32-characters-or-more',
      'is a placeholder ("change-me…"), not a secret',
    ],
    ['service-token', 'a'.repeat(32), 'has fewer than 10 distinct characters: not a random value'],
    ['mongodb', 'postgres://db:5432/docs', 'is not a valid URL of the accepted kind'],
    ['mongodb', 'mongodb://', 'does not name a host'],
    ['redis', 'http://cache:6379', 'is not a valid URL of the accepted kind'],
    ['neo4j', 'neo4j://', 'does not name a host'],
    ['redis', 'redis://:pw@cache:6379/abc', 'has a path other than a database number (/0, /1, …)'],
    [
      'mongodb',
      'mongodb://app:P@ss@db:27017/docs',
      'has a user name or password with a character that must be percent-encoded (@ : / ? # [ ] as %40 %3A %2F %3F %23 %5B %5D, and a % not starting such an escape as %25)',
    ],
    [
      'mongodb',
      'mongodb://db:27017/docs?bogusOption=1',
      'is refused by the MongoDB driver: option bogusoption is not supported',
    ],
    [
      'chroma',
      'http://admin:pw@chroma.internal:8000/chroma/',
      'has a path, query or fragment, which the Chroma client drops (it calls /api/v2/… at the root of scheme://host:port)',
    ],
    [
      'openai',
      '{"OPENAI_API_KEY":"sk-proj-abc123"}',
      'is a JSON key/value object, but docuthinker secrets are plain strings',
    ],
  ])('refuses %s=%j: %s', (name, value, message) => {
    const problem = secretValueProblem(secret(name), value);
    expect(problem).toEqual({
      variable: secret(name).variable,
      problem: message,
      expected: expect.any(String),
    });
    expect(problem?.expected).not.toBe('');
  });

  it('quotes the rule the service states, never the value', () => {
    const problem = secretValueProblem(secret('mongodb'), 'mongodb://app:hunter2-secret@/docs');
    expect(problem?.expected).toBe('a mongodb:// or mongodb+srv:// URL');
    expect(JSON.stringify(problem)).not.toContain('hunter2');
  });
});

describe('isKeyValueSecretString', () => {
  it.each([
    ['{"username":"neo4j","password":"pw"}', true],
    [' {"key": "value"} ', true],
    ['{not json', false],
    ['["a"]', false],
    ['sk-proj-abc123', false],
  ])('%j → %s', (value, expected) => {
    expect(isKeyValueSecretString(value)).toBe(expected);
  });
});
