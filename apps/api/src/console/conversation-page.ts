import type { ConversationOutcomeRecord, TurnAuditRecord } from '@app/audit';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import type { CostTotals } from '../audit/audit-reader.service';
import { fmtNumber, fmtTime, html, type SafeHtml } from './html';

export interface ConversationView {
  threadId: string;
  turns: TurnAuditRecord[];
  totals: CostTotals;
  outcome?: ConversationOutcomeRecord;
}

/** The HubSpot inbox view of a thread (help desk / conversations inbox), for the operator's own login. */
export const hubspotThreadUrl = (portalId: string, threadId: string) =>
  `https://app.hubspot.com/live-messages/${encodeURIComponent(portalId)}/inbox/${encodeURIComponent(threadId)}`;

/** Bull Board's page of one job of the events queue. */
export const boardJobPath = (jobId: string) =>
  `/admin/queues/queue/${HUBSPOT_EVENTS_QUEUE}/${encodeURIComponent(jobId)}`;

/** GET /admin/console/conversations/:threadId: the outcome, then every turn oldest first. */
export function conversationPage(view: ConversationView): SafeHtml {
  const { threadId, turns, totals, outcome } = view;
  const portalId = outcome?.portalId ?? turns[0]?.portalId;
  return html`<h1>Conversation ${threadId}</h1>
    <p>
      ${
        outcome
          ? html`Outcome
              <span class="tag ${outcome.outcome}" id="outcome">${outcome.outcome}</span
              >${outcome.category ? html` <span class="muted">(${outcome.category})</span>` : ''} · decided
              ${fmtTime(outcome.decidedAt)}`
          : html`<span class="muted"
              >No outcome decided yet (decided RESOLUTION_WINDOW_HOURS after the last activity).</span
            >`
      }
    </p>
    <p>
      ${totals.turns} turns · ${fmtNumber(totals.tokens)} tokens · ${fmtNumber(totals.credits, 3)}
      credits${
        portalId ? html` · <a href="${hubspotThreadUrl(portalId, threadId)}" rel="noreferrer">open in HubSpot</a>` : ''
      }
      · <a href="/admin/conversations/${threadId}">JSON</a>
    </p>
    ${turns.length === 0 ? html`<p class="muted">No turn recorded (none yet, or older than the audit retention).</p>` : turns.map(turn)}`;
}

function turn(t: TurnAuditRecord, i: number): SafeHtml {
  const tokens = t.usage.inputTokens + t.usage.outputTokens;
  return html`<article class="turn" data-message="${t.messageId}">
    <div>
      <b>Turn ${i + 1}</b> · ${fmtTime(t.startedAt)} ·
      <span class="tag ${t.outcome}">${t.outcome}</span>${t.reason ? html` <span class="muted">${t.reason}</span>` : ''}
      · ${t.profile ?? ''} · ${t.identity ?? ''}
    </div>
    <div class="muted">
      latency ${fmtNumber(t.latencyMs)} ms (model ${fmtNumber(t.modelMs)}, tools ${fmtNumber(t.toolMs)}, added
      ${fmtNumber(t.addedLatencyMs)}) · ${fmtNumber(tokens)} tokens (${t.usage.inputTokens} in, ${t.usage.outputTokens}
      out) · ${fmtNumber(t.credits, 3)} credits · attempts ${t.attempts} · job
      <a href="${boardJobPath(t.jobId)}">${t.jobId}</a>
    </div>
    ${t.visitorText !== undefined ? html`<p>Visitor: <q>${t.visitorText}</q></p>` : ''}
    ${
      t.tools.length
        ? html`<ul class="tools">
            ${t.tools.map(
              (c) =>
                html`<li>
                  <code>${c.name}</code> <span class="tag">${c.status}</span> ${c.durationMs}
                  ms${c.credits ? ` · ${c.credits} credits` : ''}
                  <code>${JSON.stringify(c.arguments)}</code
                  >${c.error ? html` <span class="muted">${c.error}</span>` : ''}
                </li>`,
            )}
          </ul>`
        : html`<div class="muted">no tool calls</div>`
    }
    ${t.errors.length ? html`<div class="muted">errors: ${t.errors.join(' | ')}</div>` : ''}
  </article>`;
}
