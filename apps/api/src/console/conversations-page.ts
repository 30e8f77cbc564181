import { CONVERSATION_OUTCOMES, HANDOFF_CATEGORIES, type KnowledgeGap, type OutcomeReport } from '@app/audit';
import type { CostTotals, DailyCaps } from '../audit/audit-reader.service';
import { barChart } from './bar-chart';
import type { ConsoleQueryDto } from './console-query.dto';
import { consoleConversationPath, fmtNumber, fmtPercent, fmtTime, html, type SafeHtml } from './html';

export interface ConversationsView {
  query: ConsoleQueryDto;
  range: { fromMs: number; toMs: number };
  report: OutcomeReport;
  today: { day: string; costs: CostTotals; caps?: DailyCaps };
  gaps: { total: number; gaps: KnowledgeGap[] };
}

const COLORS = { resolved: '#2f9e55', handed_off: '#e08a00', abandoned: '#9aa3b2' } as const;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** GET /admin: the week at a glance, the charts, the filterable list, knowledge gaps, today's costs. */
export function conversationsPage(view: ConversationsView): SafeHtml {
  const { report, query } = view;
  const t = report.totals;
  const handoffs = HANDOFF_CATEGORIES.filter((c) => t.byCategory[c] > 0)
    .map((c) => `${c} ${t.byCategory[c]}`)
    .join(', ');
  return html`<h1>Conversations ${day(view.range.fromMs)} – ${day(view.range.toMs)}</h1>
    <section class="cards">
      <div class="card"><span>Conversations</span><b id="total-conversations">${fmtNumber(t.conversations)}</b></div>
      <div class="card"><span>Resolution rate</span><b id="resolution-rate">${fmtPercent(t.resolutionRate)}</b></div>
      <div class="card">
        <span>Handed off</span><b>${fmtNumber(t.byOutcome.handed_off)}</b><span>${handoffs || 'no handoffs'}</span>
      </div>
      <div class="card">
        <span>CSAT (helped / all feedback)</span><b id="csat">${fmtPercent(t.csat)}</b
        ><span>${t.feedback.helped} helped, ${t.feedback.moreHelp} more help</span>
      </div>
      <div class="card">
        <span>Cost per resolved</span><b>${fmtNumber(t.tokensPerResolved)} tokens</b
        ><span>${fmtNumber(t.creditsPerResolved, 3)} credits</span>
      </div>
      ${todayCard(view.today)}
    </section>
    ${charts(report)}
    <h2>Conversations</h2>
    ${filters(query)} ${table(report, query.thread)} ${gapsTable(view.gaps)}`;
}

function charts(report: OutcomeReport): SafeHtml {
  const days = report.days.map((d) => d.day);
  if (days.length === 0) return html`<p class="muted">No conversation in this range yet.</p>`;
  const pct = (n: number) => `${Math.round(n * 100)} %`;
  return html`<div class="charts">
    ${barChart(
      'Conversations by outcome',
      days,
      CONVERSATION_OUTCOMES.map((o) => ({
        label: o,
        color: COLORS[o],
        values: report.days.map((d) => d.byOutcome[o]),
      })),
    )}
    ${barChart('Resolution rate', days, [{ label: 'resolution rate', color: '#2f9e55', values: report.days.map((d) => d.resolutionRate ?? 0) }], pct, 1)}
    ${barChart('CSAT', days, [{ label: 'CSAT', color: '#3d6fd8', values: report.days.map((d) => d.csat ?? 0) }], pct, 1)}
    ${barChart('Tokens per resolved conversation', days, [{ label: 'tokens', color: '#8a55c8', values: report.days.map((d) => d.tokensPerResolved ?? 0) }])}
  </div>`;
}

function filters(q: ConsoleQueryDto): SafeHtml {
  const option = (value: string, label: string) =>
    html`<option value="${value}" ${q.outcome === value || (!q.outcome && !value) ? html` selected` : ''}>
      ${label}
    </option>`;
  return html`<form class="filters" method="get" action="/admin">
    <label>From <input type="date" name="from" value="${q.from ?? ''}" /></label>
    <label>To <input type="date" name="to" value="${q.to ?? ''}" /></label>
    <label
      >Outcome
      <select name="outcome">
        ${option('', 'any')}${CONVERSATION_OUTCOMES.map((o) => option(o, o))}
      </select></label
    >
    <label>Profile <input name="profile" size="10" value="${q.profile ?? ''}" /></label>
    <label>Language <input name="language" size="3" value="${q.language ?? ''}" /></label>
    <label>Thread id <input name="thread" size="14" value="${q.thread ?? ''}" /></label>
    <button type="submit">Apply</button>
  </form>`;
}

function table(report: OutcomeReport, thread: string | undefined): SafeHtml {
  const rows = report.conversations.filter((c) => thread === undefined || c.threadId === thread);
  if (rows.length === 0) return html`<p class="muted">No conversation matches.</p>`;
  return html`<table id="conversations">
      <thead>
        <tr>
          <th>Thread</th>
          <th>Outcome</th>
          <th>Profile</th>
          <th>Language</th>
          <th>Started (UTC)</th>
          <th class="num">Turns</th>
          <th class="num">Tokens</th>
          <th class="num">Credits</th>
          <th>Feedback</th>
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (c) =>
            html`<tr data-thread="${c.threadId}">
              <td><a href="${consoleConversationPath(c.threadId)}">${c.threadId}</a></td>
              <td>
                <span class="tag ${c.outcome}">${c.outcome}</span
                >${c.category ? html` <span class="muted">${c.category}</span>` : ''}
              </td>
              <td>${c.profile ?? '–'}</td>
              <td>${c.language ?? '–'}</td>
              <td>${fmtTime(c.startedAt)}</td>
              <td class="num">${c.turns}</td>
              <td class="num">${fmtNumber(c.tokens)}</td>
              <td class="num">${fmtNumber(c.credits, 3)}</td>
              <td>
                ${c.feedback.helped ? `helped ${c.feedback.helped} ` : ''}${c.feedback.moreHelp ? `more help ${c.feedback.moreHelp}` : ''}
              </td>
            </tr>`,
        )}
      </tbody>
    </table>
    <p class="muted">${rows.length} shown of ${report.total} matching.</p>`;
}

function gapsTable({ total, gaps }: { total: number; gaps: KnowledgeGap[] }): SafeHtml {
  if (gaps.length === 0)
    return html`<h2>Knowledge gaps</h2>
      <p class="muted">No unanswered question recorded.</p>`;
  return html`<h2>Knowledge gaps (${total})</h2>
    <table id="knowledge-gaps">
      <thead>
        <tr>
          <th>Question (redacted)</th>
          <th class="num">Asked</th>
          <th>Profile</th>
          <th>Language</th>
          <th>Last seen</th>
          <th>Thread</th>
        </tr>
      </thead>
      <tbody>
        ${gaps.map(
          (g) =>
            html`<tr>
              <td>${g.lastQuestion}</td>
              <td class="num">${g.count}</td>
              <td>${g.profile}</td>
              <td>${g.language ?? '–'}</td>
              <td>${fmtTime(g.lastSeen)}</td>
              <td><a href="${consoleConversationPath(g.threadId)}">${g.threadId}</a></td>
            </tr>`,
        )}
      </tbody>
    </table>`;
}

/** Today's spend against the daily caps (as the workers last recorded them; 0 = no cap). */
function todayCard({ day: today, costs, caps }: ConversationsView['today']): SafeHtml {
  const of = (spent: number, cap: number | undefined, digits: number) =>
    cap === undefined
      ? fmtNumber(spent, digits)
      : cap === 0
        ? `${fmtNumber(spent, digits)} (no cap)`
        : `${fmtNumber(spent, digits)} of ${fmtNumber(cap, digits)} (${fmtPercent(spent / cap)})`;
  return html`<div class="card" id="today-costs">
    <span>Today (${today}, UTC) against the daily caps</span> <b>${of(costs.tokens, caps?.tokens, 0)} tokens</b
    ><span>${of(costs.credits, caps?.credits, 3)} credits · ${costs.turns} turns</span>
  </div>`;
}
