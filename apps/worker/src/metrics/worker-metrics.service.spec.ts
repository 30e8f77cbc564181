import { Registry } from 'prom-client';
import { HANDOFF_CATEGORIES, type TurnAuditRecord } from '@app/audit';
import { MetricsSnapshot } from '../../../../test/support/prometheus-text';
import { WorkerMetrics } from './worker-metrics.service';

function record(patch: Partial<TurnAuditRecord> = {}): TurnAuditRecord {
  return {
    version: 1,
    portalId: '22761544',
    threadId: '3624100517',
    messageId: 'm1',
    jobId: 'msg-22761544-m1',
    attempts: 1,
    errors: [],
    profile: 'support',
    conversationId: 'conv_1',
    messageAt: '2026-01-01T10:00:00.000Z',
    startedAt: '2026-01-01T10:00:00.500Z',
    finishedAt: '2026-01-01T10:00:03.000Z',
    latencyMs: 3000,
    outcome: 'answered',
    responseIds: ['resp_1', 'resp_2'],
    usage: { inputTokens: 1200, outputTokens: 80 },
    credits: 0.21,
    tools: [
      { name: 'search_companies', arguments: {}, status: 'ok', durationMs: 120, credits: 0 },
      { name: 'get_company', arguments: {}, status: 'ok', durationMs: 300, credits: 0.21 },
      { name: 'get_company', arguments: {}, status: 'error', error: 'timeout', durationMs: 8000, credits: 0 },
    ],
    replyMessageIds: ['r1'],
    ...patch,
  };
}

describe('WorkerMetrics.observeTurn', () => {
  let registry: Registry;
  let metrics: WorkerMetrics;
  beforeEach(() => {
    registry = new Registry();
    metrics = new WorkerMetrics(registry);
  });

  /** One series of the registry's exposition, as Prometheus would scrape it. */
  async function value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
    return new MetricsSnapshot(await registry.metrics()).value(name, labels);
  }

  it('counts an answered turn: outcome, durations, tools, tokens and credits', async () => {
    metrics.observeTurn(record());

    expect(await value('chat_assistant_turns_total', { outcome: 'answered' })).toBe(1);
    expect(await value('chat_assistant_turns_total', { outcome: 'fallback' })).toBe(0);
    expect(await value('chat_assistant_turn_duration_seconds_sum', { outcome: 'answered' })).toBeCloseTo(2.5);
    expect(await value('chat_assistant_turn_duration_seconds_bucket', { outcome: 'answered', le: '2' })).toBe(0);
    expect(await value('chat_assistant_turn_duration_seconds_bucket', { outcome: 'answered', le: '5' })).toBe(1);
    expect(await value('chat_assistant_turn_latency_seconds_sum', { outcome: 'answered' })).toBeCloseTo(3);
    expect(await value('chat_assistant_tool_calls_total', { tool: 'search_companies', status: 'ok' })).toBe(1);
    expect(await value('chat_assistant_tool_calls_total', { tool: 'get_company', status: 'ok' })).toBe(1);
    expect(await value('chat_assistant_tool_calls_total', { tool: 'get_company', status: 'error' })).toBe(1);
    expect(await value('chat_assistant_tool_call_duration_seconds_count', { tool: 'get_company' })).toBe(2);
    expect(await value('chat_assistant_tool_call_duration_seconds_sum', { tool: 'get_company' })).toBeCloseTo(8.3);
    expect(await value('chat_assistant_openai_tokens_total', { direction: 'input' })).toBe(1200);
    expect(await value('chat_assistant_openai_tokens_total', { direction: 'output' })).toBe(80);
    expect(await value('chat_assistant_listafirme_credits_total')).toBeCloseTo(0.21);
    expect(await value('chat_assistant_fallback_replies_total')).toBe(0);
  });

  it('accumulates over turns and counts fallback replies', async () => {
    metrics.observeTurn(record());
    metrics.observeTurn(
      record({ outcome: 'fallback', usage: { inputTokens: 10, outputTokens: 0 }, credits: 0, tools: [] }),
    );

    expect(await value('chat_assistant_turns_total', { outcome: 'answered' })).toBe(1);
    expect(await value('chat_assistant_turns_total', { outcome: 'fallback' })).toBe(1);
    expect(await value('chat_assistant_fallback_replies_total')).toBe(1);
    expect(await value('chat_assistant_openai_tokens_total', { direction: 'input' })).toBe(1210);
    expect(await value('chat_assistant_openai_tokens_total', { direction: 'output' })).toBe(80);
    expect(await value('chat_assistant_listafirme_credits_total')).toBeCloseTo(0.21);
  });

  it('skips the latency of a turn without one and ignores an impossible duration', async () => {
    metrics.observeTurn(
      record({ outcome: 'skipped', latencyMs: undefined, finishedAt: '2026-01-01T09:00:00.000Z', tools: [] }),
    );
    expect(await value('chat_assistant_turns_total', { outcome: 'skipped' })).toBe(1);
    expect(await value('chat_assistant_turn_latency_seconds_count', { outcome: 'skipped' })).toBeUndefined();
    expect(await value('chat_assistant_turn_duration_seconds_count', { outcome: 'skipped' })).toBeUndefined();
  });

  it('keeps tool labels bounded: malformed names and names beyond the cap become "other"', async () => {
    const tools = Array.from({ length: 40 }, (_, i) => ({
      name: `tool_${i}`,
      arguments: {},
      status: 'refused' as const,
      durationMs: 0,
      credits: 0,
    }));
    metrics.observeTurn(
      record({ tools: [{ ...tools[0], name: 'Robert"); DROP TABLE' }, ...tools, { ...tools[0], name: 'tool_0' }] }),
    );
    expect(await value('chat_assistant_tool_calls_total', { tool: 'tool_0', status: 'refused' })).toBe(2);
    expect(await value('chat_assistant_tool_calls_total', { tool: 'tool_31', status: 'refused' })).toBe(1);
    expect(await value('chat_assistant_tool_calls_total', { tool: 'tool_32', status: 'refused' })).toBeUndefined();
    // One malformed name + 8 names beyond the 32-label cap.
    expect(await value('chat_assistant_tool_calls_total', { tool: 'other', status: 'refused' })).toBe(9);
  });

  it('counts handoffs by category, every category shown from the start at 0', async () => {
    for (const reason of HANDOFF_CATEGORIES) {
      expect(await value('chat_assistant_handoffs_total', { reason })).toBe(0);
    }
    metrics.countHandoff('agent_took_over');
    expect(await value('chat_assistant_handoffs_total', { reason: 'agent_took_over' })).toBe(1);
  });

  it('shows every turn outcome from the start, at 0', async () => {
    for (const outcome of ['answered', 'handoff', 'fallback', 'capped', 'skipped']) {
      expect(await value('chat_assistant_turns_total', { outcome })).toBe(0);
    }
  });
});
