import type { HandoffCategory } from '@app/audit';

/** What else is known when a thread is handed off, beyond the free-text reason. */
export interface HandoffCircumstances {
  /** Outside business hours: nobody answers before the next opening. */
  closed?: boolean;
  /** The knowledge search found nothing in this thread (a knowledge gap was recorded). */
  knowledgeGap?: boolean;
}

/**
 * HandoffService's free-text reasons ("tool: …", "assigned to A-1", "cost cap: …") mapped to the
 * fixed set metrics and outcomes use. The model's own words (`tool: …`) may say anything: matched
 * first, by prefix only. A trigger the bot could have stayed on for (visitor, model) counts as
 * out_of_hours when it happened while closed: the visitor then waits for the next opening.
 */
export function handoffCategoryOf(reason: string, at: HandoffCircumstances = {}): HandoffCategory {
  const trigger = triggerOf(reason);
  if (at.closed && (trigger === 'visitor_request' || trigger === 'model_decision')) return 'out_of_hours';
  if (trigger === 'model_decision' && at.knowledgeGap) return 'knowledge_gap';
  return trigger;
}

function triggerOf(reason: string): HandoffCategory {
  if (/^tool\b/.test(reason)) return 'model_decision';
  if (/^(assigned|agent replied)\b/.test(reason)) return 'agent_took_over';
  if (/^feedback\b|asked for a person|attachment|visitor/i.test(reason)) return 'visitor_request';
  if (/staff/i.test(reason)) return 'staff_gate';
  if (/\bcap\b|cost/i.test(reason)) return 'cost_cap';
  if (/fail/i.test(reason)) return 'turn_failed';
  return 'model_decision';
}
