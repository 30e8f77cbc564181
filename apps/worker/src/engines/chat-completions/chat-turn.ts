import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { PendingCall } from '../../state/turn-progress.store';
import type { EngineTurn } from '../assistant-engine';
import type { ChatMessage, ToolCallPart, TranscriptEntry, TranscriptRef } from './transcript.store';

/** A turn as this engine runs it: the thread's transcript is loaded once and kept in step with Redis. */
export type ChatTurn = EngineTurn & { ref: TranscriptRef; log: TranscriptEntry[]; paidToolsOff: boolean };

/** Entry ids of one visitor message's turn: deterministic, so a retry appends nothing twice. */
export const entryIds = {
  user: (messageId: string) => `${messageId}:u`,
  assistant: (messageId: string, n: number) => `${messageId}:a${n}`,
  tool: (messageId: string, callId: string) => `${messageId}:t:${callId}`,
};

/** This turn's entries (a thread's turns run one at a time, so they are the transcript's tail). */
export const turnEntries = (turn: ChatTurn) => turn.log.filter((e) => e.turn === turn.ctx.messageId);

export const hasToolCalls = (m: ChatMessage): m is Extract<ChatMessage, { role: 'assistant' }> =>
  m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0;

/** The calls of the turn's latest tool_calls message that have no reply yet. */
export function openCalls(entries: readonly TranscriptEntry[]): PendingCall[] {
  const index = entries.findLastIndex((e) => hasToolCalls(e.message));
  if (index < 0) return [];
  const head = entries[index].message as Extract<ChatMessage, { role: 'assistant' }>;
  const replied = new Set(
    entries.slice(index + 1).map((e) => (e.message.role === 'tool' ? e.message.tool_call_id : '')),
  );
  return (head.tool_calls ?? [])
    .filter((c) => !replied.has(c.id))
    .map((c) => ({ callId: c.id, name: c.function.name, arguments: c.function.arguments }));
}

/** The function calls of a completion's message, with an id even where a server left it out. */
export function toolCallsOf(completion: ChatCompletion, messageId: string): ToolCallPart[] {
  const calls = completion.choices[0]?.message?.tool_calls ?? [];
  return calls
    .filter((c) => c.type === 'function')
    .map((c, i) => ({
      id: c.id || `call_${messageId}_${completion.choices.length}_${i}`,
      type: 'function' as const,
      function: { name: c.function.name, arguments: c.function.arguments ?? '' },
    }));
}
