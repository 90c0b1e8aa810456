import secureJsonParse from 'secure-json-parse';
import { MAX_JSON_BODY_VALUES } from '@docuthinker/runtime';
import { parseAcceptedJson } from '../src/analyze/prototype-keys';

/** The verdict of the route's parser (Fastify's: secure-json-parse, both actions 'error'). */
function routeParserAccepts(text: string): boolean {
  try {
    secureJsonParse.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
    return true;
  } catch {
    return false;
  }
}

const refused = [
  '{"__proto__": {}}',
  '{"document": "d", "metadata": {"__proto__": {"admin": true}}}',
  '{"document": "d", "metadata": {"\\u005f_proto__": {"admin": true}}}',
  '{"document": "d", "metadata": {"constructor": {"prototype": {"admin": true}}}}',
  '{"document": "d", "metadata": {"\\u0063onstructor": {"prototype": {}}}}',
  '{"a": [1, "x", [{"b": {"c": [{"__proto__": null}]}}]]}',
  '[[[{"constructor": {"prototype": 1}}]]]',
  '{"z": {"y": {"x": {"constructor": {"prototype": null, "name": "A"}}}}}',
];

const accepted = [
  '{"document": "d"}',
  '{"document": "d", "metadata": {"constructor": "Ada"}}',
  '{"document": "d", "metadata": {"constructor": {"name": "Ada", "prototypes": 2}}}',
  '{"constructor": null}',
  '{"constructor": {"prototype_": {}}}',
  '{"document": "a text about \\"__proto__\\": {} and \\"constructor\\": {\\"prototype\\": 1}"}',
  '{"proto": {"__proto": {"_proto_": {}}}}',
  '[]',
  '"__proto__"',
  '42',
  'null',
];

describe('parseAcceptedJson', () => {
  it.each(refused)('refuses %s, as the route parser does', (text) => {
    expect(routeParserAccepts(text)).toBe(false);
    expect(parseAcceptedJson(Buffer.from(text))).toBeUndefined();
  });

  it.each(accepted)(
    'takes %s with the value JSON.parse gives, as the route parser does',
    (text) => {
      expect(routeParserAccepts(text)).toBe(true);
      expect(parseAcceptedJson(Buffer.from(text))).toEqual(JSON.parse(text));
    },
  );

  it('answers undefined for bytes that are not UTF-8 or not JSON', () => {
    expect(
      parseAcceptedJson(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
    ).toBeUndefined();
    expect(parseAcceptedJson(Buffer.from('{"document": '))).toBeUndefined();
    expect(parseAcceptedJson(Buffer.from('\uFEFF{"document": "d"}'))).toBeUndefined();
  });

  // The sender chooses the depth, up to the value budget: a recursive walk
  // would overflow the stack.
  it('walks JSON nested as deep as the value budget allows without overflowing the stack', () => {
    const depth = MAX_JSON_BODY_VALUES / 2 - 1;
    const clean = `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
    const tainted = `${'{"a":['.repeat(depth)}{"__proto__":1}${']}'.repeat(depth)}`;
    expect(parseAcceptedJson(Buffer.from(clean))).toBeDefined();
    expect(parseAcceptedJson(Buffer.from(tainted))).toBeUndefined();
  });

  // Found in review: 700,000 metadata keys held the event loop for seconds.
  it('takes no JSON of more values than the budget, which the route refuses with 413', () => {
    const values = (count: number) => Buffer.from(JSON.stringify(new Array(count).fill(1)));
    expect(parseAcceptedJson(values(MAX_JSON_BODY_VALUES))).toHaveLength(MAX_JSON_BODY_VALUES);
    expect(parseAcceptedJson(values(MAX_JSON_BODY_VALUES + 1))).toBeUndefined();
    const depth = 100_000;
    expect(
      parseAcceptedJson(Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
    ).toBeUndefined();
  });
});
