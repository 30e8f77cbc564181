import { Injectable, Logger } from '@nestjs/common';
import type { ConversationItem } from 'openai/resources/conversations/items';
import { TurnProgressStore } from '../../state/turn-progress.store';
import { OpenAIApiClient } from './openai-api.client';
import { fallback, type ResponsesState, type Turn } from './responses-turn';

/** Resumes a Responses turn that crashed with a request in flight, from what the conversation holds. */
@Injectable()
export class ConversationRecovery {
  private readonly logger = new Logger(ConversationRecovery.name);

  constructor(
    private readonly openai: OpenAIApiClient,
    private readonly progressStore: TurnProgressStore,
  ) {}

  /**
   * After a crash between sending a request and recording its response, the conversation itself
   * tells whether OpenAI applied it: its input and output are appended only on completion.
   */
  async reconcile(turn: Turn, s: ResponsesState): Promise<void> {
    const p = turn.progress;
    const page = await this.openai.call('conversations.items.list', (sdk) =>
      sdk.conversations.items.list(turn.conversationId, { limit: 50, order: 'desc' }),
    );
    // Only items after the turn's anchor can be ours: an identical earlier message must not match.
    // The turn's user messages are appended together: its last one marks where the request's output begins.
    const anchor = s.anchorItemId ? page.data.findIndex((item) => item.id === s.anchorItemId) : -1;
    const newestFirst = anchor >= 0 ? page.data.slice(0, anchor) : page.data;
    const index = newestFirst.findIndex((item) =>
      s.requestInFlight === 'user'
        ? isUserMessage(item, turn.lines.at(-1)?.text ?? '')
        : item.type === 'function_call_output' && p.pendingCalls.some((c) => c.callId === item.call_id),
    );
    const applied = index >= 0;
    this.logger.warn(
      { threadId: turn.ctx.threadId, request: s.requestInFlight, applied },
      'resuming an interrupted turn',
    );
    if (!applied) {
      s.requestInFlight = undefined; // not applied: send it again
      return;
    }
    if (s.requestInFlight === 'user') p.userMessageSent = true;
    const after = newestFirst.slice(0, index).reverse();
    const answered = new Set(after.filter((i) => i.type === 'function_call_output').map((i) => i.call_id));
    p.pendingCalls = after
      .filter((i): i is Extract<ConversationItem, { type: 'function_call' }> => i.type === 'function_call')
      .filter((i) => !answered.has(i.call_id))
      .map((i) => ({ callId: i.call_id, name: i.name, arguments: i.arguments }));
    if (p.pendingCalls.length === 0) {
      const text = after.map(assistantText).filter(Boolean).join('\n').trim();
      if (text) p.answer = text;
      else fallback(turn, 'interrupted turn left no answer');
    } else {
      p.rounds += 1;
    }
    s.requestInFlight = undefined;
    const newest = page.data[0]?.id;
    if (newest) await this.progressStore.setLastItem(turn.conversationId, newest);
    await turn.save();
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
