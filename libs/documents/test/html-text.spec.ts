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

  it('stays linear on hostile markup', () => {
    const unclosedTags = '<a'.repeat(500_000);
    const unclosedScripts = '<script>'.repeat(200_000);
    const manyBreaks = 'x<br>'.repeat(200_000);

    expect(htmlToText(unclosedTags).text).toBe('');
    expect(htmlToText(`visible${unclosedScripts}`).text).toBe('visible');
    expect(htmlToText(manyBreaks).text.split('\n')).toHaveLength(200_000);
  });
});
