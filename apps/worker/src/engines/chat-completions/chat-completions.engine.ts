import { RedisKeys } from '@app/redis';
import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { RateBudget } from '../../budgets/rate-budget.service';
import { EngineConfig, OpenAiConfig } from '../../config/config-sections';
import { CostLedger } from '../../costs/cost-ledger.service';
import { textsFor } from '../../profiles/fixed-texts';
import { instructionsFor } from '../../profiles/language';
import type { PendingCall } from '../../state/turn-progress.store';
import { ToolRegistry } from '../../tools/tool-registry.service';
import type { AssistantEngine, EngineTurn, HistoryRef } from '../assistant-engine';
import { OpenAIApiClient } from '../responses/openai-api.client';
import { SpendGuard } from '../spend-guard.service';
import { ToolRound } from '../tool-round.service';
import { entryIds, hasToolCalls, openCalls, toolCallsOf, turnEntries, type ChatTurn } from './chat-turn';
import { historyWindow } from './history-window';
import { promptCacheKey, requestExtras, sendableArguments } from './server-quirks';
import { TokenCounter } from './token-counter';
import { TranscriptStore, type ChatMessage, type TranscriptEntry } from './transcript.store';

type End = NonNullable<TranscriptEntry['end']>;

/**
 * The Chat Completions engine, for any OpenAI-compatible server (Azure, Ollama, vLLM, LiteLLM):
 * the thread's transcript is ours, in Redis. Each step appends to it under an id derived from the
 * visitor's message, once (TranscriptStore), and the next step is read from what the transcript
 * holds: a retry after a crash resumes there, never adding the visitor's text twice, never
 * re-running a tool that returned (its output is in the turn's progress). Tool calls of a response
 * run in parallel (ToolRound); rounds, identical calls, time and spend are bounded as in the
 * Responses engine, and every turn ends in an answer or the short fallback text.
 */
@Injectable()
export class ChatCompletionsEngine implements AssistantEngine {
  constructor(
    private readonly openai: OpenAIApiClient,
    private readonly transcript: TranscriptStore,
    private readonly tokens: TokenCounter,
    private readonly toolRound: ToolRound,
    private readonly spend: SpendGuard,
    private readonly tools: ToolRegistry,
    private readonly budget: RateBudget,
    private readonly costs: CostLedger,
    private readonly settings: OpenAiConfig,
    private readonly engine: EngineConfig,
  ) {}

  async run(engineTurn: EngineTurn): Promise<void> {
    const { ctx, progress: p } = engineTurn;
    const ref = { portalId: ctx.portalId, threadId: ctx.threadId };
    const turn: ChatTurn = { ...engineTurn, ref, log: await this.transcript.load(ref), paidToolsOff: false };
    // Where the history lives, for the audit trail (no conversation to map).
    p.conversationId = RedisKeys.transcript(ref);
    // Each visitor message once, under its own id, as this turn's (a burst answered together).
    const known = new Set(turn.log.map((e) => e.id));
    const lines = turn.lines.filter((l) => !known.has(entryIds.user(l.messageId)));
    await this.append(
      turn,
      lines.map((l) => this.entry(turn, entryIds.user(l.messageId), { role: 'user', content: l.text })),
    );
    p.userMessageSent = true;
    while (p.answer === undefined) await this.step(turn);
  }

  async record(history: HistoryRef, userText: string, answer: string): Promise<void> {
    const id = history.messageId;
    const entries: ChatMessage[] = [
      { role: 'user', content: userText },
      { role: 'assistant', content: answer },
    ];
    await this.transcript.append(
      history,
      entries.map((message, i) => ({
        id: i === 0 ? entryIds.user(id) : entryIds.assistant(id, 1),
        turn: id,
        message,
        tokens: this.tokens.count(message),
      })),
    );
    history.progress.conversationId = RedisKeys.transcript({ portalId: history.portalId, threadId: history.threadId });
    history.progress.userMessageSent = true;
  }

  /** One step from what the transcript holds: the answer, a round of tools, or a model call. */
  private async step(turn: ChatTurn): Promise<void> {
    const p = turn.progress;
    const mine = turnEntries(turn);
    const last = mine.at(-1)!;
    p.rounds = mine.filter((e) => hasToolCalls(e.message)).length;
    const message = last.message;
    if (message.role === 'assistant' && !message.tool_calls?.length) {
      p.answer = message.content?.trim() || textsFor(turn.profile, turn.language).noAnswer;
      if (last.end?.fallback) p.fallbackReason = last.end.fallback;
      if (last.end?.cap) p.capReason = last.end.cap;
      return;
    }
    const open = openCalls(mine);
    if (open.length > 0) {
      p.pendingCalls = open;
      if (p.rounds > this.settings.maxToolRounds) {
        return this.end(turn, open, { fallback: 'tool round limit' }, 'tool round limit reached');
      }
      if (Date.now() > turn.deadline)
        return this.end(turn, open, { fallback: 'time limit' }, 'turn time limit reached');
      await this.toolRound.run(turn, turn.paidToolsOff);
      const replies = open.map((c) => this.toolEntry(turn, c, p.toolOutputs[c.callId]));
      await this.append(turn, replies);
      p.pendingCalls = [];
      await turn.save();
      return;
    }
    if (Date.now() > turn.deadline) return this.end(turn, [], { fallback: 'time limit' }, 'turn time limit reached');
    const verdict = await this.spend.check(turn);
    if (verdict.stop) return this.end(turn, [], { cap: p.capReason }, 'cost cap reached', p.answer);
    turn.paidToolsOff = verdict.paidToolsOff;
    await this.absorb(turn, await this.create(turn));
  }

  /** Records a completion: its tool calls, its answer, or the fallback for every other ending. */
  private async absorb(turn: ChatTurn, completion: ChatCompletion): Promise<void> {
    const p = turn.progress;
    p.responseIds.push(completion.id);
    const input = completion.usage?.prompt_tokens ?? 0;
    const output = completion.usage?.completion_tokens ?? 0;
    p.usage.inputTokens += input;
    p.usage.outputTokens += output;
    await this.costs.add(turn.ctx.threadId, { tokens: input + output, credits: 0 });

    const choice = completion.choices[0];
    const finish = choice?.finish_reason;
    const calls = toolCallsOf(completion, turn.ctx.messageId);
    const content = choice?.message?.content ?? null;
    // Ollama has ended tool-call responses with `stop`; a cut-off (`length`) call is never run.
    if ((finish === 'tool_calls' || finish === 'stop') && calls.length > 0) {
      await this.appendAssistant(turn, { role: 'assistant', content, tool_calls: calls });
    } else if (finish === 'stop' && content?.trim()) {
      await this.appendAssistant(turn, { role: 'assistant', content: content.trim() });
    } else {
      const reason = finish === 'stop' || (finish === 'tool_calls' && !calls.length) ? 'empty answer' : `${finish}`;
      await this.end(turn, [], { fallback: reason === 'empty answer' ? reason : `finish_reason ${reason}` }, reason);
    }
    await turn.save();
  }

  /**
   * Ends the turn without a model answer: calls we will not send back get a reply (the real output
   * when the tool ran), then the text the visitor reads closes the turn in the transcript.
   */
  private async end(turn: ChatTurn, calls: PendingCall[], end: End, reason: string, text?: string) {
    text ??= textsFor(turn.profile, turn.language).noAnswer;
    const outputs = turn.progress.toolOutputs;
    const replies = calls.map((c) => this.toolEntry(turn, c, outputs[c.callId] ?? JSON.stringify({ error: reason })));
    await this.append(turn, replies);
    await this.appendAssistant(turn, { role: 'assistant', content: text }, end);
    turn.progress.pendingCalls = [];
  }

  private async appendAssistant(turn: ChatTurn, message: ChatMessage, end?: End): Promise<void> {
    const n = turnEntries(turn).filter((e) => e.message.role === 'assistant').length + 1;
    const entry = this.entry(turn, entryIds.assistant(turn.ctx.messageId, n), message);
    await this.append(turn, [end ? { ...entry, end } : entry]);
  }

  /** Appends once and keeps the loaded log in step with what Redis holds (a stored entry wins). */
  private async append(turn: ChatTurn, entries: TranscriptEntry[]): Promise<void> {
    const stored = await this.transcript.append(turn.ref, entries);
    const known = new Set(turn.log.map((e) => e.id));
    turn.log.push(...stored.filter((e) => !known.has(e.id)));
  }

  private entry(turn: ChatTurn, id: string, message: ChatMessage): TranscriptEntry {
    return { id, turn: turn.ctx.messageId, message, tokens: this.tokens.count(message) };
  }

  private toolEntry(turn: ChatTurn, call: PendingCall, output: string): TranscriptEntry {
    const message: ChatMessage = { role: 'tool', tool_call_id: call.callId, content: output };
    return this.entry(turn, entryIds.tool(turn.ctx.messageId, call.callId), message);
  }

  /** One model call holding a slot of the shared concurrency budget; its time counts as model time. */
  private async create(turn: ChatTurn): Promise<ChatCompletion> {
    const openai = this.settings;
    const slot = { name: 'openai:chat-completions', limit: openai.maxConcurrent, leaseMs: openai.timeoutMs + 30_000 };
    return this.budget.withSlot(slot, async () => {
      const started = Date.now();
      try {
        return await this.send(turn);
      } finally {
        turn.progress.modelMs = (turn.progress.modelMs ?? 0) + (Date.now() - started);
      }
    });
  }

  private async send(turn: ChatTurn): Promise<ChatCompletion> {
    const [openai, engine] = [this.settings, this.engine];
    const { profile, ctx } = turn;
    const tools = this.tools
      .definitions(profile.tools)
      .map((d) => ({ type: 'function' as const, function: { ...d, strict: true } }));
    // The language line ends the system message: the instructions stay a shared prefix, and a
    // thread's language is sticky, so its prompt prefix stays the same from turn to turn.
    const instructions = instructionsFor(profile.instructions, turn.language);
    const fixed = this.tokens.fixed(`${profile.name}:${turn.language}:${profile.tools.join(',')}`, instructions, tools);
    const bound = { messages: profile.history.messages, tokens: this.tokens.toLocal(profile.history.tokens) };
    const earlier = historyWindow(
      turn.log.filter((e) => e.turn !== ctx.messageId),
      bound,
    );
    const current = turnEntries(turn).map((e) => e.message);
    const messages = [{ role: 'system' as const, content: instructions }, ...earlier, ...current];
    const estimate = fixed + [...earlier, ...current].reduce((sum, m) => sum + this.tokens.count(m), 0);
    const extras = requestExtras(engine.serverKind, openai.maxOutputTokens, {
      safetyId: createHash('sha256').update(turn.visitorId).digest('hex').slice(0, 32),
      cacheKey: promptCacheKey(ctx.portalId, ctx.threadId),
    });
    const completion = await this.openai.call('chat.completions.create', (sdk) =>
      sdk.chat.completions.create({
        model: openai.model,
        messages: messages.map(toParam),
        tools,
        ...extras,
      }),
    );
    this.tokens.calibrate(estimate, completion.usage?.prompt_tokens);
    return completion;
  }
}

function toParam(m: ChatMessage | { role: 'system'; content: string }): ChatCompletionMessageParam {
  if (m.role !== 'assistant' || !m.tool_calls) return m;
  const calls = m.tool_calls.map((c) => ({
    ...c,
    function: { ...c.function, arguments: sendableArguments(c.function.arguments) },
  }));
  return { ...m, tool_calls: calls };
}
