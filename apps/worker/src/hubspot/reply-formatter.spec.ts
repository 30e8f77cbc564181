import { toPlainText, toRichText } from './markdown-reply';
import { splitReply } from './reply-formatter';

describe('splitReply', () => {
  it('keeps a short answer whole', () => {
    expect(splitReply('Hello there.', 100)).toEqual(['Hello there.']);
  });

  it('splits at paragraph boundaries first', () => {
    const a = 'A'.repeat(60);
    const b = 'B'.repeat(60);
    expect(splitReply(`${a}\n\n${b}`, 100)).toEqual([a, b]);
  });

  it('every part fits and nothing is lost', () => {
    const text = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here. `.repeat(3)).join('\n\n');
    const parts = splitReply(text, 200);
    expect(parts.every((p) => p.length <= 200 && p.length > 0)).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' ').trim());
  });

  it('hard-cuts a single long word', () => {
    expect(splitReply('x'.repeat(250), 100)).toEqual(['x'.repeat(100), 'x'.repeat(100), 'x'.repeat(50)]);
  });

  it('returns nothing for blank text', () => {
    expect(splitReply('  \n ', 100)).toEqual([]);
  });
});

describe('toRichText', () => {
  it('escapes any HTML from the model', () => {
    expect(toRichText('<script>alert("x")</script> & <b>bold</b>')).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;</p>',
    );
  });

  it('turns paragraphs and lines into <p> and <br>', () => {
    expect(toRichText('one\ntwo\n\nthree')).toBe('<p>one<br>two</p><p>three</p>');
  });

  it('links bare URLs without letting quotes break out of the attribute', () => {
    expect(toRichText('See https://www.listafirme.ro/borg-design-srl-14837428/.')).toBe(
      '<p>See <a href="https://www.listafirme.ro/borg-design-srl-14837428/" target="_blank" rel="noopener noreferrer">https://www.listafirme.ro/borg-design-srl-14837428/</a>.</p>',
    );
    expect(toRichText('https://x.test/"onmouseover="alert(1)')).not.toContain('"onmouseover');
  });

  it('does not link javascript: URLs', () => {
    expect(toRichText('javascript:alert(1)')).not.toContain('<a');
  });
});

describe('Markdown from the model', () => {
  it('bold, italics, lists and links become HTML in richText', () => {
    expect(
      toRichText(
        '**Borg Design SRL** is *active*.\n\n- CUI 14837428\n- VAT payer\n\n[Details](https://www.listafirme.ro/x)',
      ),
    ).toBe(
      '<p><strong>Borg Design SRL</strong> is <em>active</em>.</p><ul><li>CUI 14837428</li><li>VAT payer</li></ul>' +
        '<p><a href="https://www.listafirme.ro/x" target="_blank" rel="noopener noreferrer">Details</a></p>',
    );
  });

  it('and clean plain text in text: no markers, a labelled link keeps its address', () => {
    expect(
      toPlainText(
        '**Borg Design SRL** is *active*.\n\n- CUI 14837428\n- VAT payer\n\n[Details](https://www.listafirme.ro/x)',
      ),
    ).toBe('Borg Design SRL is active.\n\n• CUI 14837428\n• VAT payer\n\nDetails (https://www.listafirme.ro/x)');
    expect(toPlainText('1. first\n2. second')).toBe('1. first\n2. second');
  });

  it('text without Markdown is unchanged, HTML from the model stays text', () => {
    for (const plain of [
      're: m0',
      'Anything else? <b>x</b>',
      'Write to jane.doe@client.ro or see client.ro',
      'snake_case_name and 2 * 3',
    ]) {
      expect(toPlainText(plain)).toBe(plain);
    }
  });

  it('only http(s) links: javascript:, data: and mailto: links stay text', () => {
    for (const link of ['[x](javascript:alert(1))', '[x](data:text/html,hi)', '[x](mailto:a@b.ro)']) {
      expect(toRichText(link)).not.toContain('<a');
    }
  });
});
