import type { ReceivedMail } from '../../../test/fakes/smtp.fake';
import type { WebhookDelivery } from './emulator/webhook-sender';
import type { MessageView, ThreadView } from './page/thread-view';

export type AgentAction = 'assign' | 'unassign' | 'close' | 'reopen' | 'message' | 'note';

export interface VisitorTurnResult {
  /** The visitor's message id in the emulator. */
  messageId: string;
  /** What appeared in the thread after it (bot and agent messages, notes, assignments), oldest first. */
  after: MessageView[];
  /** The chat messages the visitor sees after it (bot and agent MESSAGEs), oldest first. */
  replies: MessageView[];
  thread: ThreadView;
  ms: number;
}

/**
 * Drives a running sandbox over its page API, as the chat page does: for scripts, evals and tests
 * (`startSandbox().client`, or `new SandboxClient(url)` against `npm run sandbox`).
 */
export class SandboxClient {
  constructor(readonly baseUrl: string) {}

  info(): Promise<Record<string, unknown>> {
    return this.call('GET', '/sandbox/api/info');
  }

  /** A visitor opens the chat of an inbox (`support`, `contacts`, or an inbox id) in a language. */
  startChat(inbox: string, language: 'en' | 'ro' | 'nl' = 'en'): Promise<ThreadView> {
    return this.call('POST', '/sandbox/api/threads', { inbox, language });
  }

  thread(threadId: string): Promise<ThreadView> {
    return this.call('GET', `/sandbox/api/threads/${threadId}`);
  }

  agent(threadId: string, action: AgentAction, text?: string): Promise<ThreadView> {
    return this.call('POST', `/sandbox/api/threads/${threadId}/agent`, { action, text });
  }

  mail(): Promise<ReceivedMail[]> {
    return this.call('GET', '/sandbox/api/mail');
  }

  webhooks(): Promise<WebhookDelivery[]> {
    return this.call('GET', '/sandbox/api/webhooks');
  }

  /** The newest verification code mailed to `address`. */
  async latestCode(address: string): Promise<string | undefined> {
    const mail = (await this.mail()).find((m) => m.to.includes(address.toLowerCase()));
    return mail ? /\b(\d{6})\b/.exec(mail.text)?.[1] : undefined;
  }

  /**
   * The visitor writes `text`; resolves once the turn is answered: the thread is no longer working
   * and nothing new arrived for `quietMs` (a long answer comes in parts), or after `timeoutMs`.
   */
  async say(
    threadId: string,
    text: string,
    opts: { timeoutMs?: number; quietMs?: number } = {},
  ): Promise<VisitorTurnResult> {
    const started = Date.now();
    const { id } = await this.call<{ id: string }>('POST', `/sandbox/api/threads/${threadId}/visitor`, { text });
    return this.settle(threadId, id, started, opts);
  }

  /** Waits as `say` does for what follows message `messageId`. */
  async settle(
    threadId: string,
    messageId: string,
    started = Date.now(),
    { timeoutMs = 30_000, quietMs = 400 }: { timeoutMs?: number; quietMs?: number } = {},
  ): Promise<VisitorTurnResult> {
    let count = -1;
    let stableSince = Date.now();
    for (;;) {
      const thread = await this.thread(threadId);
      const at = thread.messages.findIndex((m) => m.id === messageId);
      const after = thread.messages.slice(at + 1);
      const replies = after.filter((m) => m.type === 'MESSAGE' && m.author !== 'visitor');
      if (after.length !== count) [count, stableSince] = [after.length, Date.now()];
      const answered = replies.length > 0 && !thread.working;
      const quiet = Date.now() - stableSince >= quietMs;
      if ((answered && quiet) || Date.now() - started > timeoutMs) {
        return { messageId, after, replies, thread, ms: Date.now() - started };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${parsed.error ?? ''}`);
    return parsed;
  }
}
