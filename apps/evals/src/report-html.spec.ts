import { formatTable, summarize } from './eval-report';
import { renderHtml } from './report-html';
import type { ScenarioResult } from './scenario-runner';

const result = (name: string, passed: boolean, failures: string[] = []): ScenarioResult => ({
  name,
  file: `${name}.yaml`,
  description: 'A <b>bold</b> "claim" & more',
  profile: 'support',
  passed,
  failures,
  tokens: 1234,
  latencyMs: 1500,
  threadId: '1',
  turns: [
    {
      input: 'say "<script>alert(1)</script>"',
      replies: ['<img src=x onerror=alert(1)> see https://evil.example'],
      notes: [],
      tools: [],
      outcome: 'answered',
      tokens: 1234,
      ms: 80,
    },
  ],
  judged: undefined,
});
const report = summarize([result('good-one', true), result('bad-one', false, ['reply should match <x>'])], {
  startedAt: '2026-12-06T10:00:00.000Z',
  model: { kind: 'demo', label: 'demo model (scripted)' },
  threshold: 1,
});

describe('eval reports', () => {
  it('summarizes against the threshold', () => {
    expect(report).toMatchObject({ total: 2, passed: 1, passRate: 0.5, ok: false, tokens: 2468 });
  });

  it('prints a table with the result, why, tokens and latency, then each failure in full', () => {
    const table = formatTable(report, 120);
    expect(table).toMatch(/good-one\s+pass\s+1234\s+1\.5s/);
    expect(table).toMatch(/bad-one\s+FAIL\s+reply should match <x>\s+1234\s+1\.5s/);
    expect(table).toContain('    - reply should match <x>');
    expect(table).toContain(
      '1/2 passed (50.0%, threshold 100%) with demo model (scripted); 2468 tokens; BELOW THRESHOLD',
    );
  });

  it('renders a self-contained page: everything escaped, no script, no outside request', () => {
    const html = renderHtml(report);
    expect(html).not.toMatch(/<(?:script|img|link|iframe)|<[^>]*\s(?:src|href)=/i);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('A &#60;b&#62;bold&#60;/b&#62; &#34;claim&#34; &#38; more');
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('reply should match &#60;x&#62;');
  });
});
