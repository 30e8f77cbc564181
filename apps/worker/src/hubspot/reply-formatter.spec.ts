import { splitReply, toRichText } from './reply-formatter';

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
