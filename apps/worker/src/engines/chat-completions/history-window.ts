import type { ChatMessage, TranscriptEntry } from './transcript.store';

export interface HistoryBound {
  messages: number;
  tokens: number;
}

/**
 * The earlier part of a transcript that goes with a model call, newest first until a bound is
 * reached. It is cut between groups only: a user message, a plain assistant message, or an
 * assistant `tool_calls` message with all its tool replies (a reply without its call, or a call
 * without every reply, is rejected by the server). Incomplete groups (a turn that failed for good
 * mid-round) and replies orphaned by trimming are left out.
 */
export function historyWindow(earlier: readonly TranscriptEntry[], bound: HistoryBound): ChatMessage[] {
  const groups = completeGroups(earlier);
  const kept: TranscriptEntry[][] = [];
  let messages = 0;
  let tokens = 0;
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i];
    const groupTokens = group.reduce((sum, e) => sum + e.tokens, 0);
    if (messages + group.length > bound.messages || tokens + groupTokens > bound.tokens) break;
    kept.unshift(group);
    messages += group.length;
    tokens += groupTokens;
  }
  return kept.flat().map((e) => e.message);
}

function completeGroups(entries: readonly TranscriptEntry[]): TranscriptEntry[][] {
  const groups: TranscriptEntry[][] = [];
  for (const entry of entries) {
    if (entry.message.role === 'tool') {
      const open = groups.at(-1);
      const head = open?.[0]?.message;
      // A reply belongs to the group whose assistant message made the call; otherwise it is an orphan.
      if (head?.role === 'assistant' && head.tool_calls?.some((c) => c.id === toolCallId(entry.message))) {
        open!.push(entry);
      }
      continue;
    }
    groups.push([entry]);
  }
  return groups.filter(isComplete);
}

function isComplete(group: TranscriptEntry[]): boolean {
  const head = group[0].message;
  if (head.role !== 'assistant' || !head.tool_calls?.length) return group.length === 1;
  const replied = new Set(group.slice(1).map((e) => toolCallId(e.message)));
  return head.tool_calls.every((c) => replied.has(c.id));
}

const toolCallId = (m: ChatMessage) => (m.role === 'tool' ? m.tool_call_id : undefined);
