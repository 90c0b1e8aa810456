import { backendFields, createRedactor, gatewayFields, REDACTED, secretValuesFrom } from '../src';

describe('createRedactor', () => {
  it('masks every occurrence of every secret, the longest first', () => {
    const redact = createRedactor(['abcdef-123', 'abcdef-123-and-more']);
    expect(redact('x abcdef-123-and-more y abcdef-123 z')).toBe(`x ${REDACTED} y ${REDACTED} z`);
  });

  it('treats secret characters literally, not as a pattern', () => {
    const redact = createRedactor(['a.b*c+d?e']);
    expect(redact('a.b*c+d?e and aXbbbcdde')).toBe(`${REDACTED} and aXbbbcdde`);
  });

  it('masks the JSON-escaped form of a secret', () => {
    const secret = 'pa"ss\\word-1';
    const line = JSON.stringify({ msg: `value ${secret}` });
    expect(createRedactor([secret])(line)).not.toContain('ss\\\\word');
  });

  it('ignores values too short to be secrets', () => {
    expect(createRedactor(['ab', ''])('ab ab')).toBe('ab ab');
  });
});

describe('secretValuesFrom', () => {
  it('lists secret variables and the passwords inside URLs, and nothing else', () => {
    const values = secretValuesFrom(backendFields, {
      MONGODB_URI: 'mongodb://app:s3cr3t-pass@db:27017/x',
      DOCUTHINKER_JWT_SECRET: 'j'.repeat(40),
      PORT: '5000',
      DOCUTHINKER_DATA_DIR: '/var/data',
    });
    expect(values).toEqual(
      expect.arrayContaining([
        'mongodb://app:s3cr3t-pass@db:27017/x',
        's3cr3t-pass',
        'j'.repeat(40),
      ]),
    );
    expect(values).not.toContain('5000');
    expect(values).not.toContain('/var/data');
  });

  // Found in review: a provider's 401 quoted the one key of a pool it refused,
  // and the log line showed it whole.
  it('lists each key of a comma-separated key pool', () => {
    const env = { OPENAI_API_KEY: 'sk-aaaaaaaaaa1, sk-bbbbbbbbbb2' };
    const redact = createRedactor(secretValuesFrom(gatewayFields, env));
    expect(redact('HTTP 401: Incorrect API key provided: sk-bbbbbbbbbb2.')).toBe(
      `HTTP 401: Incorrect API key provided: ${REDACTED}.`,
    );
  });

  // Found in review: `new URL` throws on a replica-set URI, so its password went unlisted.
  it('lists the password of a multi-host MongoDB URI, as written and decoded', () => {
    const values = secretValuesFrom(backendFields, {
      MONGODB_URI: 'mongodb://app:S3cret%40Passw0rd@h1:27017,h2:27017/x?replicaSet=rs0',
    });
    expect(values).toEqual(expect.arrayContaining(['S3cret%40Passw0rd', 'S3cret@Passw0rd']));
    expect(createRedactor(values)('auth failed for S3cret@Passw0rd')).toBe(
      `auth failed for ${REDACTED}`,
    );
  });

  it('lists a URL password with a malformed escape as written', () => {
    const values = secretValuesFrom(backendFields, {
      MONGODB_URI: 'mongodb+srv://app:bad%zzpassword@cluster.example.net/x',
    });
    expect(values).toContain('bad%zzpassword');
  });

  // Found in an exploratory test: with an unescaped @ in the password, the
  // password ended at it ("P", too short to mask), and the driver's
  // "Unable to parse ss:w0rdSECRET with URL" showed the rest at error level.
  it('takes a URL password up to the last @, and masks the user info and the pieces a driver quotes', () => {
    const uri = 'mongodb://user:P@ss:w0rdSECRET@127.0.0.1:1/db';
    const values = secretValuesFrom(backendFields, { MONGODB_URI: uri });
    expect(values).toContain('P@ss:w0rdSECRET');
    const redact = createRedactor(values);
    expect(redact('Unable to parse ss:w0rdSECRET with URL')).toBe(
      `Unable to parse ${REDACTED} with URL`,
    );
    expect(redact('cannot connect to mongodb://user:P@ss:w0rdSECRET@127.0.0.1:1/other')).toBe(
      `cannot connect to mongodb://${REDACTED}@127.0.0.1:1/other`,
    );
  });

  it('masks an unescaped @ in the user name the same way', () => {
    const values = secretValuesFrom(backendFields, {
      MONGODB_URI: 'mongodb://ops@corp:Sup3rSecret-pw@db1:27017,db2:27017/x',
    });
    expect(createRedactor(values)('Unable to parse corp:Sup3rSecret-pw with URL')).toBe(
      `Unable to parse ${REDACTED} with URL`,
    );
  });
});
