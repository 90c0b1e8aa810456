import {
  AI_TASK_NAMES,
  analyzeRequest,
  askRequest,
  BEARER_CREDENTIALS,
  chatRequest,
  cleanTitleText,
  GATEWAY_API,
  hasVisibleText,
  indexRequest,
  isCompactJws,
  REQUIRED_TASK_OPTIONS,
  searchRequest,
  TASK_OPTIONS,
  taskOptions,
  taskRequest,
  titleField,
  wellFormedText,
} from '../src';

describe('gateway contracts', () => {
  it('accepts a well-formed index request and rejects unknown fields', () => {
    const valid = { ownerId: 'u1', documentId: 'd1', title: 'T', text: 'body' };
    expect(indexRequest.safeParse(valid).success).toBe(true);
    expect(indexRequest.safeParse({ ...valid, extra: 1 }).success).toBe(false);
  });

  it.each(['', '../etc', 'a b', 'x'.repeat(129)])('rejects the id %j', (id) => {
    expect(searchRequest.safeParse({ ownerId: id, query: 'q' }).success).toBe(false);
  });

  it('bounds k and validates the search mode', () => {
    expect(searchRequest.safeParse({ ownerId: 'u', query: 'q', k: 51 }).success).toBe(false);
    expect(searchRequest.safeParse({ ownerId: 'u', query: 'q', mode: 'fuzzy' }).success).toBe(
      false,
    );
    expect(searchRequest.parse({ ownerId: 'u', query: ' q ', mode: 'lexical' }).query).toBe('q');
  });

  it('requires the last chat message to come from the user', () => {
    const ok = { ownerId: 'u', messages: [{ role: 'user', content: 'hi' }] };
    expect(chatRequest.safeParse(ok).success).toBe(true);
    const bad = { ownerId: 'u', messages: [{ role: 'assistant', content: 'hi' }] };
    expect(chatRequest.safeParse(bad).success).toBe(false);
  });

  it('rejects blank text and questions', () => {
    expect(taskRequest.safeParse({ text: '   ' }).success).toBe(false);
    expect(askRequest.safeParse({ ownerId: 'u', question: '' }).success).toBe(false);
  });

  it('encodes path parameters', () => {
    expect(GATEWAY_API.indexedDocument('a/b')).toBe('/ai/v1/index/a%2Fb');
    expect(GATEWAY_API.task('key-ideas')).toBe('/ai/v1/tasks/key-ideas');
  });
});

describe('incoming text', () => {
  const loneHigh = 'Lone \ud800 surrogate';
  const cutPair = 'a😀'.slice(0, 2); // 'a' and the high half of the emoji

  it('replaces lone surrogates and NUL by U+FFFD, one for one', () => {
    expect(wellFormedText(loneHigh)).toBe('Lone \ufffd surrogate');
    expect(wellFormedText('\udc00x\ud800')).toBe('\ufffdx\ufffd');
    expect(wellFormedText(cutPair)).toBe('a\ufffd');
    expect(wellFormedText('NUL\u0000inside')).toBe('NUL\ufffdinside');
    // Whole pairs and everything else are kept as they are.
    const intact = 'a😀 é مرحبا 你好 e\u0301';
    expect(wellFormedText(intact)).toBe(intact);
  });

  it('is applied by every schema that takes free text', () => {
    const index = indexRequest.parse({
      ownerId: 'u',
      documentId: 'd',
      title: `T${cutPair}`,
      text: `${loneHigh}\u0000end`,
    });
    expect(index.text).toBe('Lone \ufffd surrogate\ufffdend');
    expect(index.title).toBe('Ta\ufffd');
    expect(taskRequest.parse({ text: loneHigh, options: { style: cutPair } })).toEqual({
      text: 'Lone \ufffd surrogate',
      options: { style: 'a\ufffd' },
    });
    expect(searchRequest.parse({ ownerId: 'u', query: cutPair }).query).toBe('a\ufffd');
    expect(askRequest.parse({ ownerId: 'u', question: cutPair }).question).toBe('a\ufffd');
    expect(
      chatRequest.parse({ ownerId: 'u', messages: [{ role: 'user', content: cutPair }] })
        .messages[0]?.content,
    ).toBe('a\ufffd');
    expect(analyzeRequest.parse({ document: `x\u0000${cutPair}` }).document).toBe('x\ufffda\ufffd');
  });

  // Found in review: the check for visible text ran on the replacements.
  it('refuses free text that is only NULs and lone surrogates, which show nothing', () => {
    const invisible = ['\u0000', '\u0000\u0000 ', '\ud800', ` ${cutPair.slice(1)}\u0000`];
    for (const text of invisible) {
      expect(analyzeRequest.safeParse({ document: text }).success).toBe(false);
      expect(analyzeRequest.safeParse({ document: 'd', question: text }).success).toBe(false);
      expect(taskRequest.safeParse({ text }).success).toBe(false);
      expect(searchRequest.safeParse({ ownerId: 'u', query: text }).success).toBe(false);
      expect(
        indexRequest.safeParse({ ownerId: 'u', documentId: 'd', title: 'T', text }).success,
      ).toBe(false);
    }
  });
});

describe('visible text', () => {
  it('takes text that shows something, refusing only characters that show nothing', () => {
    for (const text of ['a', '\u200bx', 'é', '😀', '\u0301', '中文']) {
      expect({ text, visible: hasVisibleText(text) }).toEqual({ text, visible: true });
    }
    for (const text of [
      '',
      ' \t\n',
      '\u00a0\u3000',
      '\u200b\u200c\u200d\u2060',
      '\u00ad\u200e\ufeff',
      '\u0001',
      '\u0000',
      '\ud800 \udfff',
      '\u2800\u2800',
    ]) {
      expect({ text, visible: hasVisibleText(text) }).toEqual({ text, visible: false });
    }
  });

  it('composes a title (NFC), so that titles that look alike are one', () => {
    expect(cleanTitleText('Cafe\u0301 notes')).toBe('Caf\u00e9 notes');
    expect(
      indexRequest.parse({ ownerId: 'u', documentId: 'd', title: 'Cafe\u0301', text: 'x' }).title,
    ).toBe('Caf\u00e9');
  });

  it('is what every AI request asks of its text', () => {
    const invisible = '\u200b\u200b\u200b';
    expect(taskRequest.safeParse({ text: invisible }).success).toBe(false);
    expect(analyzeRequest.safeParse({ document: invisible }).success).toBe(false);
    expect(searchRequest.safeParse({ ownerId: 'u1', query: invisible }).success).toBe(false);
    expect(
      indexRequest.safeParse({ ownerId: 'u1', documentId: 'd1', title: 'T', text: invisible })
        .success,
    ).toBe(false);
    expect(taskRequest.safeParse({ text: `${invisible}text` }).success).toBe(true);
  });
});

describe('BEARER_CREDENTIALS', () => {
  it('takes the scheme in any case, then spaces or a tab, then one token', () => {
    for (const header of ['Bearer abc.def', 'bearer  abc.def', 'BEARER\tabc.def']) {
      expect(BEARER_CREDENTIALS.exec(header)?.[1]).toBe('abc.def');
    }
    for (const header of ['Bearerabc', 'Bearer ', 'Bearer a b', 'Basic abc', ' Bearer abc']) {
      expect(BEARER_CREDENTIALS.exec(header)).toBeNull();
    }
  });
});

describe('isCompactJws', () => {
  it('takes three unpadded base64url parts joined by dots, and nothing else', () => {
    // A 32-byte signature, as HS256's: 43 characters, the last with two spare bits.
    const token =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJlIGJ5dGVzIG9mIHRoaXJ0eS10d28gYnk';
    expect(isCompactJws(token)).toBe(true);
    for (const spelling of [
      // The same bytes with the spare bits set: decoding ignores them.
      `${token.slice(0, -1)}l`,
      `${token.slice(0, -1)}m`,
      `${token.slice(0, -1)}n`,
      `${token}!!!`,
      `${token},`,
      `${token}==`,
      `${token.slice(0, -6)}*${token.slice(-6)}`,
      `${token}.`,
      `.${token}`,
      'eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.',
      'a.b',
      'a.b.c.d',
      'a..c',
      'a.b.c\n',
      'a.b.c ',
      'a+b.c/d.e',
      '',
    ]) {
      expect({ spelling, accepted: isCompactJws(spelling) }).toEqual({ spelling, accepted: false });
    }
  });
});

describe('titleField', () => {
  const title = titleField(20);
  const issuesOf = (value: string) =>
    title.safeParse(value).error?.issues.map((issue) => issue.message) ?? [];

  it('keeps a title that shows something, cleaned and made well-formed one for one', () => {
    expect(title.parse('  Report\u0000\r\nQ3 \ud800 ')).toBe('Report\ufffd Q3 \ufffd');
  });

  it('asks whether a title shows anything as sent, before NUL and lone surrogates become U+FFFD', () => {
    for (const invisible of ['\u0000', '\ud800\udc00'.slice(0, 1), '\u200b\u2060', '\u2800']) {
      expect(issuesOf(invisible)).toEqual(['must contain visible characters']);
    }
  });

  it('gives a blank or a long title one error each', () => {
    for (const blank of ['', '   ', '\r\n\t']) expect(issuesOf(blank)).toHaveLength(1);
    expect(issuesOf('x'.repeat(21))).toEqual(['must be at most 20 characters']);
  });
});

describe('task options as the API documents them', () => {
  // The OpenAPI documents show these descriptions: each must name exactly the
  // tasks that read its option, and say "required" where one needs it.
  it.each(Object.keys(taskOptions.shape))('describes %s by the tasks that read it', (option) => {
    const description = taskOptions.shape[option as keyof typeof taskOptions.shape].description;
    const [tasksPart = ''] = (description ?? '').split(':');
    const named = AI_TASK_NAMES.filter((task) => tasksPart.split(/[ ,(]+/).includes(task));
    const readers = AI_TASK_NAMES.filter((task) =>
      (TASK_OPTIONS[task] as readonly string[]).includes(option),
    );
    expect(named).toEqual(readers);
    const required = readers.some((task) =>
      (REQUIRED_TASK_OPTIONS[task] as readonly string[] | undefined)?.includes(option),
    );
    expect(tasksPart.includes('(required)')).toBe(required);
  });
});
