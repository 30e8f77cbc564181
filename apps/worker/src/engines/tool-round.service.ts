import { Injectable, Logger } from '@nestjs/common';
import { redactText } from '@app/logging';
import { OpenAiConfig } from '../config/config-sections';
import { CostLedger } from '../costs/cost-ledger.service';
import { IdentityMetrics } from '../identity/identity-metrics.service';
import type { PendingCall } from '../state/turn-progress.store';
import { ToolRegistry } from '../tools/tool-registry.service';
import { redactToolArguments } from '../tools/tool-arguments.redaction';
import type { EngineTurn } from './assistant-engine';

const PAID_TOOLS_PAUSED = 'company lookups are paused for today (daily limit); tell the visitor';
const NAME_KEYS = ['firstname', 'lastname', 'name'];

/**
 * One round of tool calls, the same for every engine: each pending call without a recorded output
 * runs (in parallel), bounded by calls per round and identical repeats, paid tools refused while
 * the daily credit cap holds; each output, audit entry and credit spend is recorded as it ends.
 */
@Injectable()
export class ToolRound {
  private readonly logger = new Logger(ToolRound.name);
  private readonly limits: { perRound: number; identical: number };

  constructor(
    private readonly tools: ToolRegistry,
    private readonly costs: CostLedger,
    private readonly identityMetrics: IdentityMetrics,
    openai: OpenAiConfig,
  ) {
    this.limits = { perRound: openai.maxToolCallsPerRound, identical: openai.maxIdenticalCalls };
  }

  async run(turn: EngineTurn, paidToolsOff: boolean): Promise<void> {
    const p = turn.progress;
    const todo = p.pendingCalls.filter((c) => p.toolOutputs[c.callId] === undefined);
    // A response asking for dozens of paid lookups at once is bounded like a loop is.
    const allowed = new Set(p.pendingCalls.slice(0, this.limits.perRound).map((c) => c.callId));
    const roundStarted = Date.now();
    // Names the visitor gave to any call of the round are masked wherever the round leaves free text.
    turn.ctx.personalNames = [
      ...new Set([...(turn.ctx.personalNames ?? []), ...todo.flatMap((c) => givenNames(c.arguments))]),
    ];
    // Every call of the round settles (and saves its output) before a failure ends the attempt.
    const settled = await Promise.allSettled(
      todo.map((call) =>
        this.runOne(turn, call, allowed.has(call.callId), paidToolsOff && this.tools.isPaid(call.name)),
      ),
    );
    p.toolMs = (p.toolMs ?? 0) + (Date.now() - roundStarted);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async runOne(turn: EngineTurn, call: PendingCall, allowed: boolean, paidOff: boolean): Promise<void> {
    const p = turn.progress;
    const signature = `${call.name}:${call.arguments}`;
    // A call resumed by a retry (its write's outcome was unknown) is the same call, not a repeat.
    const counted = (p.countedCallIds ??= []);
    if (!counted.includes(call.callId)) {
      counted.push(call.callId);
      p.callCounts[signature] = (p.callCounts[signature] ?? 0) + 1;
    }
    const args = redactToolArguments(call.name, call.arguments, turn.ctx.personalNames);
    const refusal = !allowed
      ? `at most ${this.limits.perRound} calls at once; ask again for what is still needed`
      : p.callCounts[signature] > this.limits.identical
        ? 'this exact call was already made; use its result'
        : paidOff
          ? PAID_TOOLS_PAUSED
          : undefined;
    if (paidOff) {
      p.paidToolsPaused = true;
      this.identityMetrics.countDailyCap('paid_tool_refused');
      this.logger.warn({ tool: call.name, threadId: turn.ctx.threadId }, 'daily credit cap reached: paid tool refused');
    }
    if (refusal) {
      p.toolOutputs[call.callId] = JSON.stringify({ error: refusal });
      p.toolCalls.push({
        name: call.name,
        arguments: args,
        status: 'refused',
        error: refusal,
        durationMs: 0,
        credits: 0,
      });
      return;
    }
    const outcome = await this.tools.execute(call, turn.ctx, turn.profile.tools);
    this.logger.log(
      { tool: call.name, status: outcome.status, durationMs: outcome.durationMs, threadId: turn.ctx.threadId },
      'tool call',
    );
    p.toolOutputs[call.callId] = outcome.output;
    if (outcome.ok) p.toolsSucceeded.push(call.name);
    p.toolCalls.push({
      name: call.name,
      arguments: args,
      status: outcome.status,
      ...(outcome.ok ? {} : { error: toolError(outcome.output, turn.ctx.personalNames) }),
      durationMs: outcome.durationMs,
      credits: outcome.credits,
    });
    if (outcome.credits > 0) {
      p.credits += outcome.credits;
      await this.costs.add(turn.ctx.threadId, { tokens: 0, credits: outcome.credits });
    }
    await turn.save();
  }
}

/** The names (first, last, full) given in a call's arguments, to mask them in free text. */
function givenNames(rawArguments: string): string[] {
  try {
    const args = JSON.parse(rawArguments) as Record<string, unknown>;
    return NAME_KEYS.map((k) => args?.[k]).filter((v): v is string => typeof v === 'string' && v.trim() !== '');
  } catch {
    return [];
  }
}

/** The error text of a failed call's output, short and with contact data masked (it may echo input). */
function toolError(output: string, names: readonly string[] = []): string {
  try {
    const error = (JSON.parse(output) as { error?: unknown }).error;
    return redactText(typeof error === 'string' ? error : 'error', names).slice(0, 200);
  } catch {
    return 'error';
  }
}
