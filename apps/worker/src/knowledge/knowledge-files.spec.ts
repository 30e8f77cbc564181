import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { citedSources, sourcesBlock } from './citations';
import { chunkText } from './knowledge-chunks';
import { readKnowledgeFolder } from './knowledge-files';
import { indexTerms } from './knowledge-text';

const EXAMPLES = path.join(__dirname, '../../../../examples/knowledge');

describe('knowledge folder reading', () => {
  it('reads the example folder: md front matter, html title and canonical URL, txt and pdf via sources.json', async () => {
    const { documents, problems } = await readKnowledgeFolder(EXAMPLES, 1024 * 1024);
    expect(problems).toEqual([]);
    const bySource = Object.fromEntries(documents.map((d) => [d.source, d]));
    expect(Object.keys(bySource).sort()).toEqual([
      'en/delivery.md',
      'en/kettle-manual.pdf',
      'en/opening-hours.md',
      'en/returns.html',
      'en/warranty.txt',
      'ro/livrare.md',
      'ro/program.md',
    ]);
    expect(bySource['en/delivery.md']).toMatchObject({
      title: 'Delivery times and costs',
      url: 'https://help.lumora.example/en/delivery',
      language: 'en',
    });
    expect(bySource['en/delivery.md'].text).not.toContain('source_url');
    expect(bySource['en/returns.html']).toMatchObject({
      title: 'Returns and refunds',
      url: 'https://help.lumora.example/en/returns',
      language: 'en',
    });
    expect(bySource['en/returns.html'].text).toContain('## Refunds');
    expect(bySource['en/returns.html'].text).not.toMatch(/console\.log|font-family|<p>/);
    expect(bySource['en/kettle-manual.pdf']).toMatchObject({
      title: 'AquaBoil kettle: descaling',
      url: 'https://help.lumora.example/en/manuals/aquaboil.pdf',
    });
    expect(bySource['en/kettle-manual.pdf'].text).toContain('white vinegar');
    expect(bySource['en/warranty.txt'].title).toBe('Warranty');
    expect(bySource['ro/livrare.md'].language).toBe('ro');
    expect(new Set(documents.map((d) => d.hash)).size).toBe(documents.length);
  });

  it('reports each bad file (unsupported, too large, unreadable PDF, empty) and reads the rest', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'knowledge-'));
    await writeFile(path.join(dir, 'good.md'), '# Good\n\nThe good text.');
    await writeFile(path.join(dir, 'slides.pptx'), 'x');
    await writeFile(path.join(dir, 'broken.pdf'), 'not a pdf at all');
    await writeFile(path.join(dir, 'empty.txt'), '   \n');
    await writeFile(path.join(dir, 'big.txt'), 'x'.repeat(3000));
    const { documents, problems } = await readKnowledgeFolder(dir, 2000);
    expect(documents.map((d) => d.source)).toEqual(['good.md']);
    expect(problems.map((p) => p.source).sort()).toEqual(['big.txt', 'broken.pdf', 'empty.txt', 'slides.pptx']);
    const reason = (s: string) => problems.find((p) => p.source === s)?.reason;
    expect(reason('slides.pptx')).toMatch(/unsupported file type \(\.pptx\)/);
    expect(reason('broken.pdf')).toMatch(/^unreadable: /);
    expect(reason('big.txt')).toMatch(/^too large/);
    expect(reason('empty.txt')).toBe('no text found');
  });
});

describe('knowledge text', () => {
  it('folds Romanian diacritics (both cedilla and comma forms) and meets word forms at a light stem', () => {
    expect(indexTerms('Livrarea în Țările de Jos')).toEqual(indexTerms('livrare in tarile jos'));
    expect(indexTerms('ş ș ţ ț')).toEqual([]);
    expect(indexTerms('garanţie')).toEqual(indexTerms('garanția'));
    expect(indexTerms('deliveries')).toEqual(indexTerms('delivery'));
    expect(indexTerms('bezorging')).toEqual(indexTerms('bezorgen'));
    expect(indexTerms('How long does the delivery take?')).toEqual(indexTerms('long deliveries takes'));
    expect(indexTerms('How long does the delivery take?')).toHaveLength(3);
  });

  it('chunks at headings and keeps each chunk under its heading', () => {
    const chunks = chunkText(`# A\n\nfirst\n\n## B\n\nsecond\n\n${'long sentence. '.repeat(200)}`);
    expect(chunks[0]).toEqual({ heading: 'A', text: 'first' });
    expect(chunks[1].heading).toBe('B');
    expect(chunks.every((c) => c.text.length <= 1200)).toBe(true);
    expect(chunks.length).toBeGreaterThan(3);
  });
});

describe('citations', () => {
  const found = [
    {
      source: 'a.md',
      title: 'Delivery',
      url: 'https://x.test/d',
      text: 'Delivery takes 2–3 business days by courier.',
    },
    { source: 'a.md', title: 'Delivery', url: 'https://x.test/d', text: 'Delivery is free over 250 lei.' },
    { source: 'b.md', title: 'Hours', text: 'The showroom opens at 09:00.' },
    { source: 'c.md', title: 'Returns', url: 'https://x.test/r', text: 'Returns within 30 days of delivery.' },
  ];

  it('cites only the passages the answer used, one per document, at most three', () => {
    const sources = citedSources('Delivery takes 2–3 business days, and is free over 250 lei.', found);
    expect(sources).toEqual([{ source: 'a.md', title: 'Delivery', url: 'https://x.test/d' }]);
    expect(citedSources('I do not know.', found)).toEqual([]);
    const many = Array.from({ length: 5 }, (_, i) => ({
      source: `${i}.md`,
      title: `T${i}`,
      text: 'kettle descaling vinegar',
    }));
    expect(citedSources('Descaling the kettle: use vinegar.', many)).toHaveLength(3);
  });

  it('renders linked titles (plain titles without a URL) under a heading in the thread language', () => {
    const block = sourcesBlock(
      [
        { source: 'a.md', title: 'Delivery [EN]', url: 'https://x.test/d' },
        { source: 'b.md', title: 'Hours' },
      ],
      'ro',
    );
    expect(block).toBe('Surse:\n- [Delivery \\[EN\\]](https://x.test/d)\n- Hours');
  });
});
