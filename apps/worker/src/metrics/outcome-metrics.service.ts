import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { CONVERSATION_OUTCOMES, type ConversationOutcomeRecord, type FeedbackKind } from '@app/audit';
import { METRIC_PREFIX, METRICS_REGISTRY } from '@app/metrics';

/**
 * Conversation outcomes and visitor feedback. Rates come from these counters in PromQL (README):
 * resolution rate = resolved / all conversations; CSAT = helped / all feedback; cost per resolved
 * conversation = resolved tokens (credits) / resolved conversations. Handoff categories are
 * handoffs_total{reason} (WorkerMetrics); knowledge gaps knowledge_gaps_total (KnowledgeMetrics).
 */
@Injectable()
export class OutcomeMetrics {
  private readonly conversations: Counter<'outcome' | 'category'>;
  private readonly feedback: Counter<'feedback'>;
  private readonly resolvedTokens: Counter;
  private readonly resolvedCredits: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.conversations = new Counter({
      name: `${METRIC_PREFIX}conversations_total`,
      help: 'Conversations whose outcome was decided (RESOLUTION_WINDOW_HOURS after their last activity), by outcome and handoff category',
      labelNames: ['outcome', 'category'],
      registers,
    });
    this.feedback = new Counter({
      name: `${METRIC_PREFIX}feedback_total`,
      help: 'Visitor feedback taps: helped ("That helped"), more_help ("I need more help", hands off)',
      labelNames: ['feedback'],
      registers,
    });
    this.resolvedTokens = new Counter({
      name: `${METRIC_PREFIX}resolved_conversation_tokens_total`,
      help: 'Model tokens spent by resolved conversations (divide by conversations_total{outcome="resolved"})',
      registers,
    });
    this.resolvedCredits = new Counter({
      name: `${METRIC_PREFIX}resolved_conversation_credits_total`,
      help: 'ListaFirme credits spent by resolved conversations',
      registers,
    });
    // Known label values start at 0, so rates and alerts see the first event.
    for (const outcome of CONVERSATION_OUTCOMES)
      if (outcome !== 'handed_off') this.conversations.labels(outcome, '').inc(0);
    this.feedback.labels('helped').inc(0);
    this.feedback.labels('more_help').inc(0);
    this.resolvedTokens.inc(0);
    this.resolvedCredits.inc(0);
  }

  /** Once per decided conversation (the sweep's claim guards redeliveries). */
  observeOutcome(record: ConversationOutcomeRecord): void {
    this.conversations.labels(record.outcome, record.category ?? '').inc();
    if (record.outcome !== 'resolved') return;
    if (record.tokens > 0) this.resolvedTokens.inc(record.tokens);
    if (record.credits > 0) this.resolvedCredits.inc(record.credits);
  }

  countFeedback(kind: FeedbackKind): void {
    this.feedback.labels(kind).inc();
  }
}
