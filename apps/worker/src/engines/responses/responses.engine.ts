import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Response, ResponseInputItem } from 'openai/resources/responses/responses';
import { RateBudget } from '../../budgets/rate-budget.service';
import { OpenAiConfig } from '../../config/config-sections';
import { CostLedger } from '../../costs/cost-ledger.service';
import { ThreadMapping } from '../../mapping/thread-mapping.service';
import { instructionsFor } from '../../profiles/language';
import { TurnProgressStore, type PendingCall } from '../../state/turn-progress.store';
import { ToolRegistry } from '../../tools/tool-registry.service';
import type { AssistantEngine, EngineTurn, HistoryRef } from '../assistant-engine';
import { SpendGuard } from '../spend-guard.service';
import { ToolRound } from '../tool-round.service';
import { ConversationRecovery } from './conversation-recovery';
import { OpenAIApiClient } from './openai-api.client';
import { fallback, state, type Turn } from './responses-turn';

/**
 * The Responses + Conversations engine: a HubSpot thread is an OpenAI conversation (history kept
 * server-side); a turn sends the visitor's text, runs every function call of each response in
 * parallel (ToolRound), sends all outputs back, until the model answers. Bounded by rounds,
 * identical calls and time; every terminal status ends in an answer.
 */
@Injectable()
export class ResponsesEngine implements AssistantEngine {
  constructor(
    private readonly openai: OpenAIApiClient,
    private readonly recovery: ConversationRecovery,
    private readonly mapping: ThreadMapping,
    private readonly toolRound: ToolRound,
    private readonly spend: SpendGuard,
    private readonly tools: ToolRegistry,
    private readonly progressStore: TurnProgressStore,
    private readonly budget: RateBudget,
    private readonly costs: CostLedger,
    private readonly openaiConfig: OpenAiConfig,
  ) {}

  async run(engineTurn: EngineTurn): Promise<void> {
    const { ctx, progress, save } = engineTurn;
    const history = { portalId: ctx.portalId, threadId: ctx.threadId, messageId: ctx.messageId, progress, save };
    const turn: Turn = { ...engineTurn, conversationId: await this.conversationFor(history), paidToolsOff: false };
    const p = turn.progress;
    const s = state(p);
    if (s.requestInFlight) await this.recovery.reconcile(turn, s);

    while (p.answer === undefined) {
      if (Date.now() > turn.deadline) {
        await this.closePendingCalls(turn, 'turn time limit reached');
        fallback(turn, 'time limit');
        break;
      }
      if (!p.userMessageSent) {
        if (await this.stopAtCap(turn)) break;
        if (s.anchorItemId === undefined) s.anchorItemId = await this.progressStore.lastItemOf(turn.conversationId);
        const lines: ResponseInputItem[] = turn.lines.map((l) => ({ role: 'user', content: l.text }));
        const response = await this.create(turn, lines, 'user');
        p.userMessageSent = true;
        await this.absorb(turn, response);
      } else if (p.pendingCalls.length > 0) {
        await this.toolRound.run(turn, turn.paidToolsOff);
        if (await this.stopAtCap(turn)) break;
        const outputs: ResponseInputItem[] = p.pendingCalls.map((c) => ({
          type: 'function_call_output',
          call_id: c.callId,
          output: p.toolOutputs[c.callId],
        }));
        const response = await this.create(turn, outputs, 'outputs');
        p.pendingCalls = [];
        await this.absorb(turn, response);
      } else {
        fallback(turn, 'nothing to answer');
      }
      s.requestInFlight = undefined;
      await turn.save();
    }
  }

  async record(history: HistoryRef, userText: string, answer: string): Promise<void> {
    const conversationId = await this.conversationFor(history);
    await this.openai.call('conversations.items.create', (sdk) =>
      sdk.conversations.items.create(conversationId, {
        items: [
          { type: 'message', role: 'user', content: userText },
          { type: 'message', role: 'assistant', content: answer },
        ],
      }),
    );
    history.progress.userMessageSent = true;
  }

  /** The thread's conversation, created (and mapped) on its first turn; recorded in progress first. */
  private async conversationFor(history: HistoryRef): Promise<string> {
    const { progress, save } = history;
    const ref = { portalId: history.portalId, threadId: history.threadId };
    const resolved = await this.mapping.resolve(ref, {
      known: progress.conversationId,
      create: async () => {
        const conversation = await this.openai.call('conversations.create', (sdk) =>
          sdk.conversations.create({ metadata: { hubspot_portal_id: ref.portalId, hubspot_thread_id: ref.threadId } }),
        );
        return conversation.id;
      },
      onCreated: async (id) => {
        progress.conversationId = id;
        await save();
      },
      // A run that lost its job must not create a conversation nobody will use.
      beforeCreate: save,
    });
    // Persisted by the next save, before anything else leaves the process.
    progress.conversationId = resolved.conversationId;
    return resolved.conversationId;
  }

  /** True when a cap ends the turn here (its answer is set); pending calls are closed first. */
  private async stopAtCap(turn: Turn): Promise<boolean> {
    const verdict = await this.spend.check(turn);
    if (!verdict.stop) {
      turn.paidToolsOff = verdict.paidToolsOff;
      return false;
    }
    await this.closePendingCalls(turn, 'cost cap reached');
    return true;
  }

  /**
   * One model call holding a slot of the shared OpenAI concurrency budget. Waiting for a slot
   * happens before the request is marked in flight (and saved as such).
   */
  private async create(turn: Turn, input: ResponseInputItem[], kind: 'user' | 'outputs'): Promise<Response> {
    const openai = this.openaiConfig;
    const slot = { name: 'openai:responses', limit: openai.maxConcurrent, leaseMs: openai.timeoutMs + 30_000 };
    return this.budget.withSlot(slot, async () => {
      state(turn.progress).requestInFlight = kind;
      await turn.save();
      const started = Date.now();
      try {
        return await this.send(turn, input);
      } finally {
        // Time the visitor waited on the model: what "added latency" subtracts.
        turn.progress.modelMs = (turn.progress.modelMs ?? 0) + (Date.now() - started);
      }
    });
  }

  private send(turn: Turn, input: ResponseInputItem[]): Promise<Response> {
    const openai = this.openaiConfig;
    const tools = this.tools.definitions(turn.profile.tools).map((d) => ({ type: 'function', ...d, strict: true }));
    return this.openai.call(
      'responses.create',
      (sdk) =>
        sdk.responses.create({
          model: openai.model,
          conversation: turn.conversationId,
          // The language line goes last: the prefix (tools, instructions) stays shared.
          instructions: instructionsFor(turn.profile.instructions, turn.language),
          input,
          tools,
          parallel_tool_calls: true,
          max_output_tokens: openai.maxOutputTokens,
          // Server-side compaction bounds the context the conversation carries into each turn.
          context_management: [{ type: 'compaction', compact_threshold: turn.profile.compactThreshold }],
          safety_identifier: createHash('sha256').update(turn.visitorId).digest('hex').slice(0, 32),
          metadata: { hubspot_thread_id: turn.ctx.threadId, hubspot_message_id: turn.ctx.messageId },
          store: true,
        } as Parameters<typeof sdk.responses.create>[0]) as Promise<Response>,
    );
  }

  /** Records a response and decides what comes next. */
  private async absorb(turn: Turn, response: Response): Promise<void> {
    const p = turn.progress;
    p.responseIds.push(response.id);
    const lastItem = response.output.at(-1)?.id;
    if (lastItem) await this.progressStore.setLastItem(turn.conversationId, lastItem);
    const inputTokens = response.usage?.input_tokens ?? 0;
    const outputTokens = response.usage?.output_tokens ?? 0;
    p.usage.inputTokens += inputTokens;
    p.usage.outputTokens += outputTokens;
    await this.costs.add(turn.ctx.threadId, { tokens: inputTokens + outputTokens, credits: 0 });

    if (response.status !== 'completed') {
      const reason = response.incomplete_details?.reason ?? response.error?.code ?? '';
      fallback(turn, `response ${response.status ?? 'unknown'} ${reason}`.trim());
      await this.closeCalls(turn, functionCalls(response.output), `response ${response.status}`);
      return;
    }
    const calls = functionCalls(response.output);
    if (calls.length === 0) {
      const text = response.output_text?.trim();
      if (text) p.answer = text;
      else fallback(turn, 'empty answer');
      return;
    }
    p.rounds += 1;
    if (p.rounds > this.openaiConfig.maxToolRounds) {
      await this.closeCalls(turn, calls, 'tool round limit reached');
      fallback(turn, 'tool round limit');
      return;
    }
    p.pendingCalls = calls;
  }

  private async closePendingCalls(turn: Turn, reason: string): Promise<void> {
    await this.closeCalls(turn, turn.progress.pendingCalls, reason);
    turn.progress.pendingCalls = [];
  }

  /**
   * Answers calls we will not send back to the model, so the conversation has no dangling call for
   * the next turn: with the real output when the tool already ran (no model call, no tokens).
   */
  private async closeCalls(turn: Turn, calls: PendingCall[], reason: string): Promise<void> {
    if (calls.length === 0) return;
    const outputs = turn.progress.toolOutputs;
    const created = await this.openai.call('conversations.items.create', (sdk) =>
      sdk.conversations.items.create(turn.conversationId, {
        items: calls.map((c) => ({
          type: 'function_call_output',
          call_id: c.callId,
          output: outputs[c.callId] ?? JSON.stringify({ error: reason }),
        })),
      }),
    );
    const last = created.data.at(-1)?.id;
    if (last) await this.progressStore.setLastItem(turn.conversationId, last);
  }
}

function functionCalls(output: Response['output']): PendingCall[] {
  return output
    .filter((o) => o.type === 'function_call')
    .map((o) => {
      const call = o as { call_id: string; name: string; arguments: string };
      return { callId: call.call_id, name: call.name, arguments: call.arguments };
    });
}
