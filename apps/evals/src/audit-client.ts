import type { TurnAuditRecord } from '@app/audit';

/**
 * Reads a thread's audit records from the api (`GET /admin/conversations/:threadId`, admin auth):
 * the tools each turn called (arguments redacted), its outcome and tokens. The evals learn what
 * the worker did from the same record an operator reads, not by instrumenting the worker.
 */
export class AuditClient {
  constructor(
    private readonly apiUrl: string,
    private readonly admin: { user: string; password?: string },
  ) {}

  async turns(threadId: string): Promise<TurnAuditRecord[]> {
    const auth = Buffer.from(`${this.admin.user}:${this.admin.password ?? ''}`).toString('base64');
    const res = await fetch(`${this.apiUrl}/admin/conversations/${threadId}`, {
      headers: { authorization: `Basic ${auth}` },
    });
    if (res.status === 404) return [];
    if (!res.ok) throw new Error(`GET /admin/conversations/${threadId}: ${res.status}`);
    return ((await res.json()) as { turns: TurnAuditRecord[] }).turns;
  }

  /**
   * The records of these visitor messages, waiting up to `timeoutMs` for those not written yet (a
   * record is written when its turn ends, a moment after the reply is visible).
   */
  async forMessages(threadId: string, messageIds: string[], timeoutMs = 3000): Promise<Map<string, TurnAuditRecord>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = new Map((await this.turns(threadId)).map((r) => [r.messageId, r]));
      if (messageIds.every((id) => records.has(id)) || Date.now() > deadline) return records;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
