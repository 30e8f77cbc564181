import type { Job } from 'bullmq';
import request from 'supertest';
import { HUBSPOT_EVENTS_QUEUE, messageJobId } from '@app/contracts';
import type { HubSpotMessage } from '../fakes/hubspot.fake';
import { itemText, type FakeItem } from '../fakes/openai.fake';
import { BOARD_PASSWORD, BOARD_USER } from './api-harness';
import { historyOf } from './engine-view';
import type { SystemHarness } from './system-harness';

/** What the fault-matrix tests need to know about one visitor message and its turn. */
export interface VisitorTurn {
  threadId: string;
  message: HubSpotMessage;
  jobId: string;
  job: Job;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until `ok` holds for its value (returned); fails naming `what` after the timeout. */
export async function until<T>(
  probe: () => Promise<T> | T,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export const userItems = (items: readonly FakeItem[]) => items.filter((i) => i.type === 'message' && i.role === 'user');

export function jobIdFor(h: SystemHarness, message: HubSpotMessage): string {
  return messageJobId({ portalId: String(h.hubspot.portalId), messageId: message.id });
}

/** A visitor writes `text` in a new (or given) thread; resolves when its job reaches `state`. */
export async function visitorSays(
  h: SystemHarness,
  text: string,
  opts: { threadId?: string; state?: 'completed' | 'failed'; timeoutMs?: number } = {},
): Promise<VisitorTurn> {
  const threadId = opts.threadId ?? h.hubspot.addThread().id;
  const message = h.hubspot.addVisitorMessage(threadId, text);
  const res = await h.deliver(h.hubspot.webhookEventFor(message));
  expect(res.status).toBe(200);
  const jobId = jobIdFor(h, message);
  const job = await h.waitForJob(jobId, opts.state ?? 'completed', opts.timeoutMs ?? 15_000);
  return { threadId, message, jobId, job };
}

/** Texts the bot posted in a thread, oldest first. */
export const repliesIn = (h: SystemHarness, threadId: string) =>
  h.hubspot.sentMessages(threadId).map((s) => s.message.text);

/** The thread's OpenAI conversations (exactly one when the mapping holds). */
export const conversationsOf = (h: SystemHarness, threadId: string) =>
  h.openai.conversations().filter((c) => c.metadata.hubspot_thread_id === threadId);

export interface BoardJob {
  status: string;
  job: { id: string; attempts: number; failedReason?: string; returnValue?: unknown; stacktrace: string[] };
}

/** A job as an operator sees it in Bull Board (its JSON API, with the board's credentials). */
export async function boardJob(h: SystemHarness, jobId: string): Promise<BoardJob> {
  const res = await request(h.api.getHttpServer())
    .get(`/admin/queues/api/queues/${HUBSPOT_EVENTS_QUEUE}/${encodeURIComponent(jobId)}`)
    .auth(BOARD_USER, BOARD_PASSWORD);
  expect(res.status).toBe(200);
  return res.body as BoardJob;
}

/**
 * The exactly-once contract of one visitor message: the thread got exactly `replies`, the job
 * settled in `state` (nothing lost), Bull Board shows that state, and the thread has one
 * history (conversation or transcript) holding the visitor's text once.
 */
export async function expectAnsweredOnce(
  h: SystemHarness,
  turn: VisitorTurn,
  expected: { replies: string[]; state?: 'completed' | 'failed'; userMessages?: number },
): Promise<BoardJob> {
  expect(repliesIn(h, turn.threadId)).toEqual(expected.replies);
  const board = await boardJob(h, turn.jobId);
  expect(board.status).toBe(expected.state ?? 'completed');
  if (expected.userMessages !== undefined) {
    // One history per thread (historyOf fails on two conversations), with the visitor's text once.
    const history = await historyOf(h, turn.threadId);
    expect(history).toBeDefined();
    const sameText = userItems(history!).filter((i) => itemText(i) === turn.message.text);
    expect(sameText).toHaveLength(expected.userMessages);
  }
  return board;
}

/**
 * A staff member of a staff-only inbox proves their address: types it, reads the code the fake
 * SMTP server caught, types the code. Resolves with the bot's last reply ("Verified. …").
 */
export async function verifyStaff(h: SystemHarness, threadId: string, email: string): Promise<string> {
  await visitorSays(h, email, { threadId });
  await visitorSays(h, h.smtp.latestCode(email), { threadId });
  return repliesIn(h, threadId).at(-1)!;
}
