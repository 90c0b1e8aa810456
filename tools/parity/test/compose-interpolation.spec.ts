import { interpolate } from '../src/compose-interpolation';

describe('interpolate, as docker compose fills in a value', () => {
  const variables = new Map([
    ['SET', 'value'],
    ['EMPTY', ''],
  ]);

  it('takes set variables, braced or bare, and keeps $$ as one dollar', () => {
    expect(interpolate('redis://${SET}:6379/$SET', variables)).toBe('redis://value:6379/value');
    expect(interpolate('cost $$5', variables)).toBe('cost $5');
  });

  it('gives :- defaults for unset or empty variables, - defaults for unset ones only', () => {
    expect(interpolate('${UNSET:-fallback} ${EMPTY:-fallback}', variables)).toBe(
      'fallback fallback',
    );
    expect(interpolate('[${UNSET-fallback}] [${EMPTY-fallback}]', variables)).toBe('[fallback] []');
    expect(interpolate('[${UNSET}]', variables)).toBe('[]');
  });

  it('refuses where compose refuses to start: :? for unset or empty, ? for unset', () => {
    expect(() => interpolate('${EMPTY:?set EMPTY in docker/.env}', variables)).toThrow(
      'EMPTY: set EMPTY in docker/.env',
    );
    expect(() => interpolate('${UNSET?}', variables)).toThrow('UNSET: required');
    expect(interpolate('${EMPTY?needed}', variables)).toBe('');
  });

  it('gives :+ and + alternatives for set variables, and refuses a nested reference it cannot resolve', () => {
    expect(
      interpolate('[${SET:+alt}] [${EMPTY:+alt}] [${EMPTY+alt}] [${UNSET+alt}]', variables),
    ).toBe('[alt] [] [alt] []');
    expect(() => interpolate('${UNSET:-${SET}}', variables)).toThrow('nested reference');
  });
});
