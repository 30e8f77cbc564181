import { Injectable, Logger } from '@nestjs/common';
import { UpstreamError } from '../errors/upstream.error';
import { HubSpotApiClient } from './hubspot-api.client';
import { HubSpotConversations } from './hubspot-conversations.service';

/**
 * The thread assignee endpoint (reference §8): `PUT /conversations/conversations/2026-09-beta/threads/{id}/assignee`
 * with `{actorId: "A-<userId>"}`, or its date-less twin `/conversations/conversations/v3/threads/{id}/assignee`.
 * Whichever answers 404 (a portal without the beta, or after the dated path replaces v3) the other
 * is tried, and remembered for the rest of the process.
 */
const PATHS = ['2026-09-beta', 'v3'] as const;

@Injectable()
export class HubSpotAssignee {
  private readonly logger = new Logger(HubSpotAssignee.name);
  private preferred = 0;

  constructor(
    private readonly api: HubSpotApiClient,
    private readonly conversations: HubSpotConversations,
  ) {}

  /** Assigns the thread to an agent (`A-<userId>`). */
  async assign(threadId: string, actorId: string): Promise<void> {
    const order = [this.preferred, 1 - this.preferred];
    for (const [i, index] of order.entries()) {
      try {
        await this.api.request('PUT', this.path(index, threadId), { actorId });
        this.preferred = index;
        return;
      } catch (err) {
        const missing = err instanceof UpstreamError && err.status === 404;
        if (!missing || i === order.length - 1) throw err;
        this.logger.warn({ path: PATHS[index] }, 'assignee path answered 404: trying the other one');
      }
    }
  }

  /** Who the thread is assigned to now (`A-…` or a bare user id; undefined when unassigned). */
  async current(threadId: string): Promise<string | undefined> {
    const thread = await this.conversations.getThread(threadId);
    return thread.assignedTo ? String(thread.assignedTo) : undefined;
  }

  private path(index: number, threadId: string): string {
    return `/conversations/conversations/${PATHS[index]}/threads/${encodeURIComponent(threadId)}/assignee`;
  }
}
