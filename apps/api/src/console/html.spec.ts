import type { TurnAuditRecord } from '@app/audit';
import { barChart } from './bar-chart';
import { conversationPage } from './conversation-page';
import { escapeHtml, html, SafeHtml } from './html';

describe('console templates', () => {
  it('escapes every interpolated value; only SafeHtml passes as markup', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;');
    const inner = html`<b>${'<i>'}</b>`;
    expect(html`<p>${inner}${['<', new SafeHtml('<br>')]}${undefined}${null}${false}${0}</p>`.value).toBe(
      '<p><b>&lt;i&gt;</b>&lt;<br>0</p>',
    );
    expect(html`${{ a: '<x>' }}`.value).toBe('{&quot;a&quot;:&quot;&lt;x&gt;&quot;}');
  });

  it('a hostile tool argument or error in the timeline is text, never markup', () => {
    const turn: TurnAuditRecord = {
      version: 1,
      portalId: '1',
      threadId: '2',
      messageId: '3',
      jobId: 'msg-"><script>',
      attempts: 1,
      errors: ['</div><img src=x onerror=alert(1)>'],
      startedAt: '2026-12-01T10:00:00.000Z',
      finishedAt: '2026-12-01T10:00:01.000Z',
      outcome: 'answered',
      responseIds: [],
      usage: { inputTokens: 1, outputTokens: 2 },
      credits: 0,
      tools: [
        { name: 'get_company', arguments: { q: '<script>alert(1)</script>' }, status: 'ok', durationMs: 5, credits: 0 },
      ],
      replyMessageIds: [],
    };
    const page = conversationPage({ threadId: '2', turns: [turn], totals: { tokens: 3, credits: 0, turns: 1 } }).value;
    expect(page).not.toMatch(/<script|<img/);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('href="/admin/queues/queue/hubspot-events/msg-%22%3E%3Cscript%3E"');
  });

  it('draws one bar per non-zero value, stacked, scaled to the largest day', () => {
    const svg = barChart(
      'By outcome',
      ['2026-12-01', '2026-12-02'],
      [
        { label: 'a', color: '#000', values: [2, 0] },
        { label: 'b', color: '#111', values: [2, 1] },
      ],
    ).value;
    const heights = [...svg.matchAll(/height="([\d.]+)"/g)].map((m) => Number(m[1]));
    // The svg's own height first, then the bars: 4 of 4 fills the plot, 1 of 4 a quarter.
    expect(heights).toEqual([140, 55, 55, 27.5]);
  });
});
