import { htmlToText } from '../src/html-text';

describe('htmlToText', () => {
  it('drops script, style, template and comment content, including unterminated ones', () => {
    expect(htmlToText('<p>a</p><script>var x = "<p>no</p>";</script><p>b</p>').text).toBe('a\n\nb');
    expect(htmlToText('<p>kept</p><style>p{}').text).toBe('kept');
    expect(htmlToText('before<!-- <p>hidden</p> -->after').text).toBe('beforeafter');
    expect(htmlToText('<template><p>x</p></template>shown').text).toBe('shown');
  });

  it('keeps a lone less-than sign as text', () => {
    expect(htmlToText('<p>1 < 2 and 3 <= 4</p>').text).toBe('1 < 2 and 3 <= 4');
  });

  it('decodes numeric and common named references and leaves unknown ones', () => {
    expect(htmlToText('&lt;a&gt; &#233; &#x20AC; &hellip; &bogus; &#0; &#xD800;').text).toBe(
      '<a> é € … &bogus; \ufffd \ufffd',
    );
  });

  // Found in an exploratory test: "Caf&eacute; M&uuml;nchen" was stored as
  // written; only about 35 names were known.
  it('decodes the whole HTML5 list of named references', () => {
    const page = htmlToText(
      '<title>Caf&eacute; M&uuml;nchen</title><p>se&ntilde;or, Stra&szlig;e, &alpha;&Omega; ' +
        '&AElig; &NotEqualTilde; &CounterClockwiseContourIntegral; &amp;eacute;</p>',
    );

    expect(page).toEqual({
      title: 'Café München',
      text: 'señor, Straße, αΩ Æ \u2242\u0338 \u2233 &eacute;',
    });
  });

  it('decodes only references ended by a semicolon, as the text it indexes should read', () => {
    // "&copy=2" in a link's query string must not become "©=2".
    expect(htmlToText('<p>?a=1&copy=2&amp b &notit; &#233 &#12345678;</p>').text).toBe(
      '?a=1&copy=2&amp b &notit; &#233 &#12345678;',
    );
    // A no-break space reads as a space and a soft hyphen as nothing, however written.
    expect(htmlToText('<p>no&nbsp;break, no&#160;break, Stra&shy;&szlig;e</p>').text).toBe(
      'no break, no break, Straße',
    );
    // HTML reads references to C1 controls as the Windows-1252 characters.
    expect(htmlToText('<p>&#150; &#x93;q&#x94;</p>').text).toBe('– “q”');
  });

  it('stays linear on hostile markup', () => {
    const unclosedTags = '<a'.repeat(500_000);
    const unclosedScripts = '<script>'.repeat(200_000);
    const manyBreaks = 'x<br>'.repeat(200_000);

    expect(htmlToText(unclosedTags).text).toBe('');
    expect(htmlToText(`visible${unclosedScripts}`).text).toBe('visible');
    expect(htmlToText(manyBreaks).text.split('\n')).toHaveLength(200_000);
  });
});
