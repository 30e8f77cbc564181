import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRIC_PREFIX, METRICS_REGISTRY } from '@app/metrics';

export type VerificationEvent =
  'code_sent' | 'code_not_sent' | 'rate_limited' | 'unavailable' | 'verified' | 'wrong' | 'expired' | 'locked';
export type VisitorLimit = 'turns' | 'threads';
export type DailyCapAction = 'paid_tool_refused' | 'answered_without_model';

/** What the public chat's protections did: verification codes, per-visitor limits, daily caps. */
@Injectable()
export class IdentityMetrics {
  private readonly verification: Counter<'event'>;
  private readonly limited: Counter<'limit'>;
  private readonly dailyCap: Counter<'action'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.verification = new Counter({
      name: `${METRIC_PREFIX}verification_events_total`,
      help: 'One-time e-mail codes: code_sent, code_not_sent (not a staff address, answered alike), rate_limited, unavailable (no SMTP), and checks: verified, wrong, expired, locked',
      labelNames: ['event'],
      registers,
    });
    this.limited = new Counter({
      name: `${METRIC_PREFIX}visitor_limited_total`,
      help: 'Visitor messages not answered by the model because their visitor id passed VISITOR_MAX_TURNS_PER_HOUR (turns) or VISITOR_MAX_THREADS_PER_DAY (threads)',
      labelNames: ['limit'],
      registers,
    });
    this.dailyCap = new Counter({
      name: `${METRIC_PREFIX}daily_cap_actions_total`,
      help: 'What a reached daily cap did instead of a handoff: paid_tool_refused (CAP_DAILY_CREDITS), answered_without_model (CAP_DAILY_TOKENS)',
      labelNames: ['action'],
      registers,
    });
  }

  countVerification(event: VerificationEvent): void {
    this.verification.labels(event).inc();
  }

  countLimited(limit: VisitorLimit): void {
    this.limited.labels(limit).inc();
  }

  countDailyCap(action: DailyCapAction): void {
    this.dailyCap.labels(action).inc();
  }
}
