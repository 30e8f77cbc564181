import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { HANDOFF_CATEGORIES, type HandoffCategory, type TurnAuditRecord, type TurnOutcomeKind } from '@app/audit';
import { JobName } from '@app/contracts';
import { METRIC_PREFIX, METRICS_REGISTRY } from '@app/metrics';
import type { UpstreamError } from '../errors/upstream.error';

export type UpstreamProvider = UpstreamError['provider'];
/** An HTTP status, or why there is none: `timeout`, `network`, or a provider-specific word. */
export type UpstreamStatus = number | 'timeout' | 'network' | 'api_error' | 'error';
/** Ends one upstream call's measurement; later calls are ignored (only the first status counts). */
export type UpstreamCallEnd = (status: UpstreamStatus) => void;

export type JobOutcome = 'completed' | 'failed' | 'retried' | 'delayed' | 'stalled';
const TURN_OUTCOMES: readonly TurnOutcomeKind[] = ['answered', 'handoff', 'fallback', 'capped', 'failed', 'skipped'];
const JOB_OUTCOMES: readonly JobOutcome[] = ['completed', 'failed', 'retried', 'delayed', 'stalled'];
const JOB_NAMES = new Set<string>(Object.values(JobName));

/** Tool names come from the model: only well-formed names, and at most this many distinct ones, become labels. */
const MAX_TOOL_LABELS = 32;
const TOOL_NAME = /^[a-z][a-z0-9_]{0,47}$/;

const UPSTREAM_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const TURN_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];
// What the visitor waited includes queueing and retries' backoff: a longer tail.
const LATENCY_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];
const TOOL_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BUDGET_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2];

/**
 * The worker's metrics. Provider wrappers, the rate budget, the queue consumer and the handoff
 * service record as things happen; per-turn metrics come from the turn's audit record
 * (observeTurn, called once per finished turn).
 */
@Injectable()
export class WorkerMetrics {
  private readonly jobs: Counter<'name' | 'outcome'>;
  private readonly jobDuration: Histogram<'name'>;
  private readonly upstreamCalls: Counter<'provider' | 'endpoint' | 'status'>;
  private readonly upstreamDuration: Histogram<'provider' | 'endpoint'>;
  private readonly budgetWaits: Counter<'budget'>;
  private readonly budgetWaitDuration: Histogram<'budget'>;
  private readonly budgetExhausted: Counter<'budget'>;
  private readonly handoffs: Counter<'reason'>;
  private readonly turns: Counter<'outcome'>;
  private readonly turnDuration: Histogram<'outcome'>;
  private readonly turnLatency: Histogram<'outcome'>;
  private readonly turnAddedLatency: Histogram<'outcome'>;
  private readonly toolCalls: Counter<'tool' | 'status'>;
  private readonly toolDuration: Histogram<'tool'>;
  private readonly tokens: Counter<'direction'>;
  private readonly credits: Counter;
  private readonly fallbacks: Counter;
  private readonly toolLabels = new Set<string>();

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    const name = (n: string) => `${METRIC_PREFIX}${n}`;
    this.jobs = new Counter({
      name: name('jobs_total'),
      help: 'Job attempts by job name and outcome: completed, failed (for good), retried (failed, will retry), delayed (waits without spending an attempt), stalled (its worker died)',
      labelNames: ['name', 'outcome'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: name('job_duration_seconds'),
      help: 'Time one job attempt spent on a worker, by job name',
      labelNames: ['name'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.upstreamCalls = new Counter({
      name: name('upstream_requests_total'),
      help: 'Calls to providers by provider, endpoint and HTTP status (or timeout, network, api_error)',
      labelNames: ['provider', 'endpoint', 'status'],
      registers,
    });
    this.upstreamDuration = new Histogram({
      name: name('upstream_request_duration_seconds'),
      help: 'Duration of provider calls (timeouts included) by provider and endpoint',
      labelNames: ['provider', 'endpoint'],
      buckets: UPSTREAM_BUCKETS,
      registers,
    });
    this.budgetWaits = new Counter({
      name: name('rate_budget_waits_total'),
      help: 'Calls that had to wait for a shared rate budget (or concurrency slot), by budget',
      labelNames: ['budget'],
      registers,
    });
    this.budgetWaitDuration = new Histogram({
      name: name('rate_budget_wait_seconds'),
      help: 'Time each call waited in process for a shared budget (0 when none was needed), by budget',
      labelNames: ['budget'],
      buckets: BUDGET_BUCKETS,
      registers,
    });
    this.budgetExhausted = new Counter({
      name: name('rate_budget_exhausted_total'),
      help: 'Budget waits too long to hold a worker slot: the job went back to the queue, delayed',
      labelNames: ['budget'],
      registers,
    });
    this.handoffs = new Counter({
      name: name('handoffs_total'),
      help: `Threads handed to a person, by reason category: ${HANDOFF_CATEGORIES.join(', ')}`,
      labelNames: ['reason'],
      registers,
    });
    this.turns = new Counter({
      name: name('turns_total'),
      help: 'Finished turns (one per visitor message) by outcome',
      labelNames: ['outcome'],
      registers,
    });
    this.turnDuration = new Histogram({
      name: name('turn_duration_seconds'),
      help: 'From the start of a turn to its end (all attempts), by outcome',
      labelNames: ['outcome'],
      buckets: TURN_BUCKETS,
      registers,
    });
    this.turnLatency = new Histogram({
      name: name('turn_latency_seconds'),
      help: "From the visitor's message (HubSpot time) to the end of its turn, by outcome",
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.turnAddedLatency = new Histogram({
      name: name('turn_added_latency_seconds'),
      help: 'Added latency: turn latency minus the time spent waiting for the model and tools, by outcome',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.toolCalls = new Counter({
      name: name('tool_calls_total'),
      help: 'Tool calls the model made, by tool and status: ok, error, refused',
      labelNames: ['tool', 'status'],
      registers,
    });
    this.toolDuration = new Histogram({
      name: name('tool_call_duration_seconds'),
      help: 'Duration of tool calls, by tool',
      labelNames: ['tool'],
      buckets: TOOL_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: name('openai_tokens_total'),
      help: 'Model tokens used by turns, by direction: input, output',
      labelNames: ['direction'],
      registers,
    });
    this.credits = new Counter({
      name: name('listafirme_credits_total'),
      help: 'ListaFirme credits spent by paid company lookups',
      registers,
    });
    this.fallbacks = new Counter({
      name: name('fallback_replies_total'),
      help: 'Turns that ended with the fallback text ("a colleague will follow up")',
      registers,
    });

    // Known label values start at 0, so increase() and alerts see the first event.
    for (const job of JOB_NAMES) for (const outcome of JOB_OUTCOMES) this.jobs.labels(job, outcome).inc(0);
    for (const outcome of TURN_OUTCOMES) this.turns.labels(outcome).inc(0);
    for (const reason of HANDOFF_CATEGORIES) this.handoffs.labels(reason).inc(0);
    this.tokens.labels('input').inc(0);
    this.tokens.labels('output').inc(0);
    this.credits.inc(0);
    this.fallbacks.inc(0);
  }

  // --- jobs -------------------------------------------------------------------------------

  countJob(jobName: string, outcome: JobOutcome): void {
    this.jobs.labels(jobLabel(jobName), outcome).inc();
  }

  observeJobDuration(jobName: string, seconds: number): void {
    this.jobDuration.labels(jobLabel(jobName)).observe(seconds);
  }

  // --- upstream calls ---------------------------------------------------------------------

  /**
   * Starts timing one provider call. `endpoint` must be a fixed template
   * (`conversations.threads.messages.get`, `responses.create`), never a path with ids in it.
   */
  startUpstreamCall(provider: UpstreamProvider, endpoint: string): UpstreamCallEnd {
    const started = performance.now();
    let ended = false;
    return (status) => {
      if (ended) return;
      ended = true;
      this.upstreamCalls.labels(provider, endpoint, String(status)).inc();
      this.upstreamDuration.labels(provider, endpoint).observe((performance.now() - started) / 1000);
    };
  }

  // --- rate budgets -----------------------------------------------------------------------

  /** One budget taken (or given up on) after waiting `seconds` (0 = no wait). */
  observeBudgetTake(budget: string, seconds: number): void {
    if (seconds > 0) this.budgetWaits.labels(budget).inc();
    this.budgetWaitDuration.labels(budget).observe(seconds);
  }

  countBudgetExhausted(budget: string): void {
    this.budgetExhausted.labels(budget).inc();
  }

  // --- handoffs ---------------------------------------------------------------------------

  /** One thread handed off, by category (threads/handoff-category.ts maps the free-text reasons). */
  countHandoff(category: HandoffCategory): void {
    this.handoffs.labels(category).inc();
  }

  // --- turns ------------------------------------------------------------------------------

  /** Records one finished turn from its audit record. Call exactly once per turn. */
  observeTurn(record: TurnAuditRecord): void {
    const { outcome } = record;
    this.turns.labels(outcome).inc();
    const durationMs = Date.parse(record.finishedAt) - Date.parse(record.startedAt);
    if (Number.isFinite(durationMs) && durationMs >= 0) this.turnDuration.labels(outcome).observe(durationMs / 1000);
    if (typeof record.latencyMs === 'number' && Number.isFinite(record.latencyMs) && record.latencyMs >= 0) {
      this.turnLatency.labels(outcome).observe(record.latencyMs / 1000);
    }
    if (
      typeof record.addedLatencyMs === 'number' &&
      Number.isFinite(record.addedLatencyMs) &&
      record.addedLatencyMs >= 0
    ) {
      this.turnAddedLatency.labels(outcome).observe(record.addedLatencyMs / 1000);
    }
    for (const call of record.tools) {
      const tool = this.toolLabel(call.name);
      this.toolCalls.labels(tool, call.status).inc();
      this.toolDuration.labels(tool).observe(Math.max(0, call.durationMs) / 1000);
    }
    if (record.usage.inputTokens > 0) this.tokens.labels('input').inc(record.usage.inputTokens);
    if (record.usage.outputTokens > 0) this.tokens.labels('output').inc(record.usage.outputTokens);
    if (record.credits > 0) this.credits.inc(record.credits);
    if (outcome === 'fallback') this.fallbacks.inc();
  }

  private toolLabel(name: string): string {
    if (this.toolLabels.has(name)) return name;
    if (!TOOL_NAME.test(name) || this.toolLabels.size >= MAX_TOOL_LABELS) return 'other';
    this.toolLabels.add(name);
    return name;
  }
}

function jobLabel(name: string): string {
  return JOB_NAMES.has(name) ? name : 'other';
}
