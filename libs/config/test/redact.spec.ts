import { backendFields, createRedactor, REDACTED, secretValuesFrom } from '../src';

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
});
