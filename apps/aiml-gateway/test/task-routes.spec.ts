import { GATEWAY_API, TASK_OUTPUTS, taskResponse, type AiTaskName } from '@docuthinker/contracts';
import { corpusText } from './support/corpus';
import { startTestGateway, type TestGateway } from './support/test-gateway';

const TEXT = corpusText('apache-2.0').slice(0, 6000);

describe('task routes on the offline engine', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  const run = (task: string, payload: object) =>
    gateway.service({ method: 'POST', url: GATEWAY_API.task(task), payload });

  it.each([
    ['summary', {}, (output: unknown) => expect(typeof output).toBe('string')],
    ['key-ideas', {}, (output: unknown) => expect(Array.isArray(output)).toBe(true)],
    ['discussion-points', {}, (output: unknown) => expect(Array.isArray(output)).toBe(true)],
    ['bullet-summary', {}, (output: unknown) => expect(Array.isArray(output)).toBe(true)],
    ['recommendations', {}, (output: unknown) => expect(Array.isArray(output)).toBe(true)],
    [
      'refine-summary',
      // A one-sentence summary cannot be made shorter by choosing sentences: only the focus is asked for.
      { summary: 'The licence grants rights.', instructions: 'focus on patents' },
      (output: unknown) => expect(output).toEqual(expect.stringMatching(/patent/i)),
    ],
    [
      'rewrite',
      { style: 'bullet-points' },
      (output: unknown) =>
        expect(output).toEqual({ style: 'bullet-points', text: expect.any(String) }),
    ],
    [
      'sentiment',
      {},
      (output: unknown) => {
        const { score, label, description } = output as {
          score: number;
          label: string;
          description: string;
        };
        expect(score).toBeGreaterThanOrEqual(-1);
        expect(score).toBeLessThanOrEqual(1);
        expect(['positive', 'negative', 'neutral', 'mixed']).toContain(label);
        expect(description.length).toBeGreaterThan(0);
      },
    ],
    [
      'topics',
      {},
      (output: unknown) =>
        expect(output).toEqual({ keyPhrases: expect.any(Array), entities: expect.any(Array) }),
    ],
  ])('runs %s', async (task, options, check) => {
    const response = await run(task, { text: TEXT, title: 'Apache License', options });
    expect(response.statusCode).toBe(200);
    const body = taskResponse.parse(response.json());
    expect(body).toEqual(
      expect.objectContaining({ task, provider: 'local', model: expect.any(String) }),
    );
    check(body.output);
    // The shape /openapi.json documents for the task.
    expect(TASK_OUTPUTS[task as AiTaskName].safeParse(body.output).error).toBeUndefined();
  });

  // The upstream container translates, but neither rewrites nor refines.
  const HOSTED = 'openai, anthropic, google';
  it.each([
    [
      'summary-in-language',
      { language: 'French' },
      /cannot translate into French/,
      `upstream, ${HOSTED}`,
    ],
    ['rewrite', { style: 'pirate speak' }, /cannot rewrite in the style "pirate speak"/, HOSTED],
    [
      'refine-summary',
      { summary: 'The licence grants rights.', instructions: 'make it rhyme' },
      /cannot apply "make it rhyme"/,
      HOSTED,
    ],
  ])(
    'answers 501 problem+json for %s the offline engine cannot do, naming the providers that can',
    async (task, options, reason, capable) => {
      const response = await run(task, { text: TEXT, options });
      expect(response.statusCode).toBe(501);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = response.json();
      expect(body).toEqual(
        expect.objectContaining({ status: 501, code: 'DT_ERR_TASK_UNSUPPORTED' }),
      );
      expect(body.detail).toMatch(reason);
      expect(body.detail).toContain(`(supported by: ${capable})`);
    },
  );

  it.each([
    ['concise', (text: string) => expect(text.length).toBeLessThan(TEXT.length)],
    ['plain', (text: string) => expect(text).not.toMatch(/\(an example is provided/)],
  ])('rewrites in the %s style it can produce by selection', async (style, check) => {
    const response = await run('rewrite', { text: TEXT, options: { style } });
    expect(response.statusCode).toBe(200);
    const body = taskResponse.parse(response.json());
    expect(body).toMatchObject({ provider: 'local', degraded: false, output: { style } });
    check((body.output as { text: string }).text);
  });

  it('tells caches to keep no answer, a result or a problem', async () => {
    const answered = await run('summary', { text: TEXT });
    const refused = await run('poetry', { text: TEXT });
    expect([answered.statusCode, refused.statusCode]).toEqual([200, 404]);
    expect([answered.headers['cache-control'], refused.headers['cache-control']]).toEqual([
      'no-store',
      'no-store',
    ]);
  });

  it('answers 501 at once when the caller takes no answer of the offline engine', async () => {
    const response = await run('summary', { text: TEXT, offline: false });
    expect(response.statusCode).toBe(501);
    const body = response.json();
    expect(body.code).toBe('DT_ERR_TASK_UNSUPPORTED');
    expect(body.detail).toContain('no configured remote provider offers it');
    expect(body.detail).toContain(`(supported by: upstream, ${HOSTED})`);

    expect((await run('summary', { text: TEXT, offline: true })).statusCode).toBe(200);
    const wrongType = await run('summary', { text: TEXT, offline: 'no' });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().code).toBe('DT_ERR_VALIDATION');
  });

  it('answers 404 problem+json for an unknown task, whatever the body', async () => {
    for (const payload of [{ text: 'hello' }, { nonsense: true }]) {
      const response = await run('poetry', payload);
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('DT_ERR_TASK_NOT_FOUND');
    }
    // Found in review: a malformed or oversized body, another content type or
    // a query string was answered before the task was looked up.
    const unreadable = [
      { payload: '{bad', headers: { 'content-type': 'application/json' } },
      { payload: 'x', headers: { 'content-type': 'text/plain' } },
      { payload: JSON.stringify({ text: 'hello' }), query: { x: '1' } },
      { payload: JSON.stringify({ text: 'x'.repeat(16 * 1024 * 1024) }) },
    ];
    for (const { payload, headers, query } of unreadable) {
      const response = await gateway.service({
        method: 'POST',
        url: GATEWAY_API.task('poetry'),
        payload,
        headers: { 'content-type': 'application/json', ...headers },
        ...(query ? { query } : {}),
      });
      expect({ status: response.statusCode, code: response.json().code }).toEqual({
        status: 404,
        code: 'DT_ERR_TASK_NOT_FOUND',
      });
    }
    // Without a token the caller learns nothing, task or not.
    const anonymous = await gateway.app.inject({
      method: 'POST',
      url: GATEWAY_API.task('poetry'),
      payload: { text: 'hello' },
    });
    expect(anonymous.statusCode).toBe(401);
  });

  it.each([
    ['summary-in-language', 'language', {}],
    ['rewrite', 'style', {}],
    ['refine-summary', 'instructions', { summary: 'The licence grants rights.' }],
    // Found in review: without a summary the offline engine refined one of
    // its own making, and a hosted model was asked to refine an empty one.
    ['refine-summary', 'summary', { instructions: 'focus on patents' }],
  ])('answers 400 when %s lacks options.%s', async (task, option, options) => {
    const response = await run(task, { text: TEXT, options });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual(
      expect.objectContaining({
        code: 'DT_ERR_VALIDATION',
        errors: [{ path: `body.options.${option}`, message: `is required for ${task}` }],
      }),
    );
  });

  // Found by an exploratory test: options a task does not read were ignored.
  it.each([
    ['summary', { language: 'French' }, 'language'],
    ['sentiment', { maxItems: 3 }, 'maxItems'],
    ['key-ideas', { maxItems: 3, style: 'formal' }, 'style'],
    ['rewrite', { style: 'formal', instructions: 'shorter' }, 'instructions'],
    // Named before a missing one, as the backend does (review).
    ['rewrite', { language: 'French' }, 'language'],
  ])(
    'answers 400 when %s is given an option it does not read (%j)',
    async (task, options, option) => {
      const response = await run(task, { text: TEXT, options });
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual(
        expect.objectContaining({
          code: 'DT_ERR_VALIDATION',
          errors: [{ path: `body.options.${option}`, message: `does not apply to ${task}` }],
        }),
      );
    },
  );
});
