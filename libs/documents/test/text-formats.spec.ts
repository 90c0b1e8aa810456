import { extractDocument } from '../src';

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

describe('extractDocument on text formats', () => {
  it('normalises line ends and drops a byte order mark', async () => {
    const bytes = new Uint8Array([
      0xef,
      0xbb,
      0xbf,
      ...Buffer.from('first line\r\nsecond\rthird\n'),
    ]);
    const document = await extractDocument({ bytes, filename: 'notes.txt' });

    expect(document).toMatchObject({
      fileType: 'txt',
      text: 'first line\nsecond\nthird\n',
      title: 'notes',
    });
  });

  it('titles an unnamed text by its first line', async () => {
    const document = await extractDocument({ bytes: utf8('\n\n  Quarterly report  \nbody') });

    expect(document.title).toBe('Quarterly report');
  });

  it('keeps Markdown as written and titles it by its first heading', async () => {
    const markdown = '<!-- generated -->\nIntro\n\n# Release notes #\n\n## Details\n';
    const document = await extractDocument({ bytes: utf8(markdown), filename: 'CHANGES.md' });

    expect(document).toMatchObject({
      fileType: 'md',
      mimeType: 'text/markdown',
      text: markdown,
      title: 'Release notes',
    });
  });

  it('recognises a setext heading and a declared Markdown type', async () => {
    const document = await extractDocument({
      bytes: utf8('Guide\n=====\n\ntext'),
      declaredType: 'text/markdown; charset=utf-8',
    });

    expect(document).toMatchObject({ fileType: 'md', title: 'Guide' });
  });

  it('sniffs HTML from markup and reads only the visible text', async () => {
    const html = [
      '<!DOCTYPE html><html><head><title>Team &amp; Plans</title>',
      '<style>body { color: red }</style><script>alert("x")</script></head>',
      '<body onload="steal()"><h1>Road map</h1><p>First&nbsp;step:   <b>ship</b> it.</p>',
      '<ul><li>one</li><li>two &#x1F680;</li></ul><pre>  keep\n    indent</pre>',
      '<table><tr><td>a</td><td>b</td></tr></table><!-- hidden --></body></html>',
    ].join('\n');
    const document = await extractDocument({ bytes: utf8(html), filename: 'page.txt' });

    expect(document.fileType).toBe('html');
    expect(document.mimeType).toBe('text/html');
    expect(document.title).toBe('Team & Plans');
    expect(document.text).toBe(
      'Road map\n\nFirst step: ship it.\n\none\ntwo 🚀\n\n  keep\n    indent\n\na\tb',
    );
    expect(document.html).toBeUndefined();
  });

  it('decodes named references for accented and Greek letters in the title and text', async () => {
    const html =
      '<html><head><title>Caf&eacute; M&uuml;nchen</title></head>' +
      '<body><p>se&ntilde;or, Stra&szlig;e, &alpha;</p></body></html>';
    const document = await extractDocument({ bytes: utf8(html), filename: 'cafe.html' });

    expect(document).toMatchObject({ title: 'Café München', text: 'señor, Straße, α' });
  });

  it('uses the first h1 when an HTML page has no title', async () => {
    const document = await extractDocument({
      bytes: utf8('<p>intro</p><h1>Main <em>topic</em></h1>'),
      filename: 'a.html',
    });

    expect(document.title).toBe('Main topic');
  });

  it('accepts CSV when the name says so and the delimiter is consistent', async () => {
    const csv = 'name;city;note\n"Ada";"London";"likes ; and\nnewlines"\nAlan;Wilmslow;\n';
    const document = await extractDocument({ bytes: utf8(csv), filename: 'people.csv' });

    expect(document).toMatchObject({
      fileType: 'csv',
      mimeType: 'text/csv',
      text: csv,
      title: 'people',
    });
  });

  it('treats a .csv whose rows do not line up as plain text', async () => {
    const prose = 'Dear all,\nthe meeting, as agreed, moves to Friday.\nThanks\n';
    const document = await extractDocument({ bytes: utf8(prose), filename: 'letter.csv' });

    expect(document.fileType).toBe('txt');
  });

  it('recognises JSON by parsing it, with or without a name', async () => {
    const json = '{"items": [1, 2, {"deep": true}]}';
    const named = await extractDocument({ bytes: utf8(json), filename: 'data.json' });
    const unnamed = await extractDocument({ bytes: utf8(`  ${json}`) });

    expect(named).toMatchObject({
      fileType: 'json',
      mimeType: 'application/json',
      text: json,
      title: 'data',
    });
    expect(unnamed).toMatchObject({ fileType: 'json', title: 'Untitled document' });
  });

  it('leaves text that only starts like JSON as plain text', async () => {
    const document = await extractDocument({ bytes: utf8('[draft] notes for Monday') });

    expect(document.fileType).toBe('txt');
  });

  it.each([
    'BMW annual report',
    'FORM 1040 instructions',
    'ID3 tags explained',
    'solid state notes',
  ])('keeps text that happens to start with a binary signature (%j) as text', async (opening) => {
    const document = await extractDocument({ bytes: utf8(`${opening}\nmore text`) });

    expect(document).toMatchObject({ fileType: 'txt', title: opening });
  });
});
