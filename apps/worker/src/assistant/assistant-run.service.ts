import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Response, ResponseInputItem } from 'openai/resources/responses/responses';
import type { ConversationItem } from 'openai/resources/conversations/items';
import { RateBudget } from '../budgets/rate-budget.service';
import { redactToolArguments } from '../tools/tool-arguments.redaction';
import { WorkerConfig } from '../config/worker-config';
import { CostLedger } from '../costs/cost-ledger.service';
import { OpenAIApiClient } from '../openai/openai-api.client';
import { TurnProgressStore, type PendingCall, type TurnProgress } from '../turns/turn-progress.store';
import type { AssistantProfile } from '../profiles/assistant-profile';
import { ToolRegistry } from '../tools/tool-registry.service';
import { redactText } from '@app/logging';
import { IdentityMetrics } from '../identity/identity-metrics.service';
import { IDENTITY_TEXTS, type Language } from '../identity/identity-texts';
import type { ToolContext } from '../tools/assistant-tool';

export const DAILY_TOKEN_CAP = 'daily token cap';
export const DAILY_CREDIT_CAP = 'daily credit cap';
const PAID_TOOLS_PAUSED = 'company lookups are paused for today (daily limit); tell the visitor';
const NAME_KEYS = ['firstname', 'lastname', 'name'];

/** After a turn failed for good; true because the thread then goes to a person. */
export const FALLBACK_ANSWER = "Sorry, I couldn't complete that just now. A colleague will follow up here shortly.";
/** When the model gave no usable answer this time (incomplete, a limit hit): the bot stays on the thread. */
export const NO_ANSWER_TEXT =
  "Sorry, I couldn't complete that just now. Could you ask again, perhaps in other words? If you'd rather talk to a person, just say so.";

export interface TurnRequest {
  ctx: ToolContext;
  profile: AssistantProfile;
  conversationId: string;
  userText: string;
  /** Hashed into `safety_identifier`; never sent raw. */
  visitorId: string;
  progress: TurnProgress;
  /** Persists `progress`; called after every step that must survive a crash. */
  save: () => Promise<void>;
  /** ms epoch after which no new model call starts. */
  deadline: number;
  /** The thread's language, for the fixed texts a turn may end with. */
  language: Language;
  /** Set while the daily credit cap is reached: paid tools answer with an error instead of running. */
  paidToolsOff?: boolean;
}

/**
 * One assistant turn on the Responses API: send the visitor's text to the conversation, run every
 * function call of each response in parallel, send all outputs back, until the model answers.
 * Bounded by rounds, identical calls and time; every terminal status ends in an answer.
 */
@Injectable()
export class AssistantRun {
  private readonly logger = new Logger(AssistantRun.name);

  constructor(
    private readonly openai: OpenAIApiClient,
    private readonly tools: ToolRegistry,
    private readonly progressStore: TurnProgressStore,
    private readonly budget: RateBudget,
    private readonly costs: CostLedger,
    private readonly identityMetrics: IdentityMetrics,
    private readonly config: WorkerConfig,
  ) {}

  async run(turn: TurnRequest): Promise<void> {
    const p = turn.progress;
    if (p.requestInFlight) await this.reconcile(turn);

    while (p.answer === undefined) {
      if (Date.now() > turn.deadline) {
        await this.closePendingCalls(turn, 'turn time limit reached');
        this.fallback(p, 'time limit');
        break;
      }
      if (!p.userMessageSent) {
        if (await this.stopAtCap(turn)) break;
        if (p.anchorItemId === undefined) p.anchorItemId = await this.progressStore.lastItemOf(turn.conversationId);
        const response = await this.create(turn, [{ role: 'user', content: turn.userText }], async () => {
          p.requestInFlight = 'user';
          await turn.save();
        });
        p.userMessageSent = true;
        await this.absorb(turn, response);
      } else if (p.pendingCalls.length > 0) {
        await this.runTools(turn);
        if (await this.stopAtCap(turn)) break;
        const outputs: ResponseInputItem[] = p.pendingCalls.map((c) => ({
          type: 'function_call_output',
          call_id: c.callId,
          output: p.toolOutputs[c.callId],
        }));
        const response = await this.create(turn, outputs, async () => {
          p.requestInFlight = 'outputs';
          await turn.save();
        });
        p.pendingCalls = [];
        await this.absorb(turn, response);
      } else {
        this.fallback(p, 'nothing to answer');
      }
      p.requestInFlight = undefined;
      await turn.save();
    }
  }

  /**
   * Checked before every model call (after the tools of a round ran, so their credits count): a
   * cap stops spending mid-turn, not only at the next message. True when the turn must end here.
   */
  private async stopAtCap(turn: TurnRequest): Promise<boolean> {
    const cap = await this.costs.capReached(turn.ctx.threadId);
    turn.paidToolsOff = cap === DAILY_CREDIT_CAP;
    // The daily credit cap is shared by every visitor: it switches the paid tools off and the
    // conversation goes on, instead of sending everyone to a person for the rest of the day.
    if (!cap || cap === DAILY_CREDIT_CAP) return false;
    await this.closePendingCalls(turn, 'cost cap reached');
    turn.progress.capReason = cap;
    if (cap === DAILY_TOKEN_CAP) {
      // Shared too: the visitor is told plainly and may still ask for a person; no handoff for everyone.
      this.logger.warn({ threadId: turn.ctx.threadId }, 'daily token cap reached: answering without the model');
      this.identityMetrics.countDailyCap('answered_without_model');
      turn.progress.answer = IDENTITY_TEXTS[turn.language].dailyLimit;
    } else {
      turn.progress.answer = this.config.caps.message;
    }
    return true;
  }

  /**
   * One model call holding a slot of the shared OpenAI concurrency budget. The slot is taken by
   * the caller's `mark` step: waiting for a slot happens before the request counts as in flight.
   */
  private async create(turn: TurnRequest, input: ResponseInputItem[], mark: () => Promise<void>): Promise<Response> {
    const { openai } = this.config;
    const slot = { name: 'openai:responses', limit: openai.maxConcurrent, leaseMs: openai.timeoutMs + 30_000 };
    return this.budget.withSlot(slot, async () => {
      await mark();
      const started = Date.now();
      try {
        return await this.send(turn, input);
      } finally {
        // Time the visitor waited on the model: what "added latency" subtracts.
        turn.progress.modelMs = (turn.progress.modelMs ?? 0) + (Date.now() - started);
      }
    });
  }

  private send(turn: TurnRequest, input: ResponseInputItem[]): Promise<Response> {
    const { openai } = this.config;
    return this.openai.call(
      'responses.create',
      (sdk) =>
        sdk.responses.create({
          model: openai.model,
          conversation: turn.conversationId,
          instructions: turn.profile.instructions,
          input,
          tools: this.tools.definitions(turn.profile.tools).map((d) => ({ type: 'function', ...d, strict: true })),
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
  private async absorb(turn: TurnRequest, response: Response): Promise<void> {
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
      this.fallback(p, `response ${response.status ?? 'unknown'} ${reason}`.trim());
      await this.closeCalls(turn, functionCalls(response.output), `response ${response.status}`);
      return;
    }
    const calls = functionCalls(response.output);
    if (calls.length === 0) {
      const text = response.output_text?.trim();
      if (text) p.answer = text;
      else this.fallback(p, 'empty answer');
      return;
    }
    p.rounds += 1;
    if (p.rounds > this.config.openai.maxToolRounds) {
      await this.closeCalls(turn, calls, 'tool round limit reached');
      this.fallback(p, 'tool round limit');
      return;
    }
    p.pendingCalls = calls;
  }

  /** Runs every pending call that has no recorded output yet, in parallel; records each as it ends. */
  private async runTools(turn: TurnRequest): Promise<void> {
    const p = turn.progress;
    const todo = p.pendingCalls.filter((c) => p.toolOutputs[c.callId] === undefined);
    // A response asking for dozens of paid lookups at once is bounded like a loop is.
    const allowed = new Set(p.pendingCalls.slice(0, this.config.openai.maxToolCallsPerRound).map((c) => c.callId));
    const roundStarted = Date.now();
    // Names the visitor gave to any call of the round are masked wherever the round leaves free text.
    turn.ctx.personalNames = [
      ...new Set([...(turn.ctx.personalNames ?? []), ...todo.flatMap((c) => givenNames(c.arguments))]),
    ];
    await Promise.all(
      todo.map(async (call) => {
        const signature = `${call.name}:${call.arguments}`;
        p.callCounts[signature] = (p.callCounts[signature] ?? 0) + 1;
        const args = redactToolArguments(call.name, call.arguments, turn.ctx.personalNames);
        const paidOff = turn.paidToolsOff === true && this.tools.isPaid(call.name);
        const refusal = !allowed.has(call.callId)
          ? `at most ${this.config.openai.maxToolCallsPerRound} calls at once; ask again for what is still needed`
          : p.callCounts[signature] > this.config.openai.maxIdenticalCalls
            ? 'this exact call was already made; use its result'
            : paidOff
              ? PAID_TOOLS_PAUSED
              : undefined;
        if (paidOff) {
          p.paidToolsPaused = true;
          this.identityMetrics.countDailyCap('paid_tool_refused');
          this.logger.warn(
            { tool: call.name, threadId: turn.ctx.threadId },
            'daily credit cap reached: paid tool refused',
          );
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
      }),
    );
    p.toolMs = (p.toolMs ?? 0) + (Date.now() - roundStarted);
  }

  /**
   * After a crash between sending a request and recording its response, the conversation itself
   * tells whether OpenAI applied it: its input and output are appended only on completion.
   */
  private async reconcile(turn: TurnRequest): Promise<void> {
    const p = turn.progress;
    const page = await this.openai.call('conversations.items.list', (sdk) =>
      sdk.conversations.items.list(turn.conversationId, { limit: 50, order: 'desc' }),
    );
    // Only items after the turn's anchor can be ours: an identical earlier message must not match.
    const anchor = p.anchorItemId ? page.data.findIndex((item) => item.id === p.anchorItemId) : -1;
    const newestFirst = anchor >= 0 ? page.data.slice(0, anchor) : page.data;
    const index = newestFirst.findIndex((item) =>
      p.requestInFlight === 'user'
        ? isUserMessage(item, turn.userText)
        : item.type === 'function_call_output' && p.pendingCalls.some((c) => c.callId === item.call_id),
    );
    const applied = index >= 0;
    this.logger.warn(
      { threadId: turn.ctx.threadId, request: p.requestInFlight, applied },
      'resuming an interrupted turn',
    );
    if (!applied) {
      p.requestInFlight = undefined; // not applied: send it again
      return;
    }
    if (p.requestInFlight === 'user') p.userMessageSent = true;
    const after = newestFirst.slice(0, index).reverse();
    const answered = new Set(after.filter((i) => i.type === 'function_call_output').map((i) => i.call_id));
    p.pendingCalls = after
      .filter((i): i is Extract<ConversationItem, { type: 'function_call' }> => i.type === 'function_call')
      .filter((i) => !answered.has(i.call_id))
      .map((i) => ({ callId: i.call_id, name: i.name, arguments: i.arguments }));
    if (p.pendingCalls.length === 0) {
      const text = after.map(assistantText).filter(Boolean).join('\n').trim();
      if (text) p.answer = text;
      else this.fallback(p, 'interrupted turn left no answer');
    } else {
      p.rounds += 1;
    }
    p.requestInFlight = undefined;
    const newest = page.data[0]?.id;
    if (newest) await this.progressStore.setLastItem(turn.conversationId, newest);
    await turn.save();
  }

  private async closePendingCalls(turn: TurnRequest, reason: string): Promise<void> {
    await this.closeCalls(turn, turn.progress.pendingCalls, reason);
    turn.progress.pendingCalls = [];
  }

  /**
   * Answers calls we will not send back to the model, so the conversation has no dangling call for
   * the next turn: with the real output when the tool already ran (no model call, no tokens).
   */
  private async closeCalls(turn: TurnRequest, calls: PendingCall[], reason: string): Promise<void> {
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

  private fallback(p: TurnProgress, reason: string): void {
    p.answer = NO_ANSWER_TEXT;
    p.fallbackReason = reason;
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

function isUserMessage(item: ConversationItem, text: string): boolean {
  if (item.type !== 'message' || item.role !== 'user') return false;
  return item.content.some((c) => 'text' in c && c.text === text);
}

function assistantText(item: ConversationItem): string {
  if (item.type !== 'message' || item.role !== 'assistant') return '';
  return item.content.map((c) => (c.type === 'output_text' ? c.text : '')).join('');
}
