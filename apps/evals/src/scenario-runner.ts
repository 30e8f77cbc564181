import type { Sandbox } from '../../sandbox/src/start-sandbox';
import type { MessageView } from '../../sandbox/src/page/thread-view';
import { CONTACTS_PROFILE, SUPPORT_PROFILE } from '../../worker/src/profiles/default-profiles';
import type { AuditClient } from './audit-client';
import { checkScenario, checkTurn, type PersonData, type TurnObservation } from './expectations';
import type { LoadedScenario } from './scenario-loader';
import type { ScenarioTurn, TurnExpect } from './scenario.schema';

const PROFILES = { support: SUPPORT_PROFILE, contacts: CONTACTS_PROFILE };
/** The welcome is posted when a chat opens, not in answer to a turn: left out of turn replies. */
const WELCOMES = new Set(Object.values(PROFILES).flatMap((p) => Object.values(p.welcome).map((w) => w?.text ?? '')));
/** How long a turn expected to stay silent is watched. */
const SILENCE_MS = 2500;
/** After an agent's action is announced: time for the worker's job on it. */
const AGENT_SETTLE_MS = 300;
/** A turn with no reply by then counts as unanswered. */
const TURN_TIMEOUT_MS = 30_000;

export interface ScenarioResult {
  name: string;
  file: string;
  description: string;
  profile: string;
  passed: boolean;
  /** Why it failed (empty when it passed). */
  failures: string[];
  tokens: number;
  latencyMs: number;
  threadId?: string;
  turns: TurnObservation[];
  judged: { verdict: 'pass' | 'fail' | 'not judged'; why: string } | undefined;
}

export interface RunContext {
  sandbox: Sandbox;
  audit: AuditClient;
  /** People whose data must never appear in a reply (the run's other person). */
  protectedPeople: PersonData[];
  detectLanguage: (text: string) => string | undefined;
  judge?: (scenario: LoadedScenario, turns: TurnObservation[]) => Promise<{ verdict: 'pass' | 'fail'; why: string }>;
}

const newestButtons = (messages: MessageView[]) =>
  messages.findLast((m) => m.quickReplies.length > 0)?.quickReplies ?? [];

/** Runs one scenario in a fresh chat: its turns, then every check. Never throws: errors are failures. */
export async function runScenario(ctx: RunContext, scenario: LoadedScenario): Promise<ScenarioResult> {
  const started = Date.now();
  const { sandbox } = ctx;
  const result: ScenarioResult = {
    name: scenario.name,
    file: scenario.file,
    description: scenario.description,
    profile: scenario.profile,
    passed: false,
    failures: [],
    tokens: 0,
    latencyMs: 0,
    turns: [],
    judged: undefined,
  };
  const seeded: PersonData[] = [];
  try {
    for (const c of scenario.setup.contacts) {
      if (!sandbox.emulator.findContactByEmail(c.email)) sandbox.emulator.addContact(c);
      const name = [c.firstname, c.lastname].filter(Boolean).join(' ');
      seeded.push({ email: c.email, phone: c.phone, name: name.includes(' ') ? name : undefined });
    }
    const chat = await sandbox.client.startChat(scenario.profile, scenario.language);
    result.threadId = chat.id;
    const visited: { messageId: string; turn: TurnObservation; expect?: TurnExpect }[] = [];
    for (const step of scenario.turns) {
      const done = await play(ctx, chat.id, step);
      if (typeof done === 'string') {
        result.failures.push(done);
        break;
      }
      if (done) visited.push(done);
    }
    const records = await ctx.audit.forMessages(
      chat.id,
      visited.map((v) => v.messageId),
    );
    for (const v of visited) {
      const record = records.get(v.messageId);
      v.turn.tools = (record?.tools ?? []).map((t) => ({ name: t.name, arguments: t.arguments, status: t.status }));
      v.turn.outcome = record?.outcome;
      v.turn.tokens = record ? record.usage.inputTokens + record.usage.outputTokens : 0;
      // What the visitor waited, as the worker measured it (the page's polling adds its own wait).
      v.turn.ms = record?.latencyMs ?? v.turn.ms;
      result.failures.push(...checkTurn(v.expect ?? {}, v.turn, ctx.detectLanguage));
    }
    result.turns = visited.map((v) => v.turn);
    result.tokens = result.turns.reduce((n, t) => n + t.tokens, 0);
    result.failures.push(
      ...checkScenario(scenario.expect, {
        turns: result.turns,
        tokens: result.tokens,
        contact: (email) => sandbox.emulator.findContactByEmail(email)?.properties,
        // A scenario's own setup contact may be shown to the staff who asks for it; the run's other person never.
        protectedPeople: scenario.profile === 'support' ? [...ctx.protectedPeople, ...seeded] : ctx.protectedPeople,
        instructions: PROFILES[scenario.profile].instructions,
        detectLanguage: ctx.detectLanguage,
      }),
    );
    if (scenario.expect.rubric) {
      result.judged = ctx.judge
        ? await ctx.judge(scenario, result.turns)
        : { verdict: 'not judged', why: 'no --judge, or the demo model' };
      if (result.judged.verdict === 'fail') result.failures.push(`rubric: ${result.judged.why}`);
    }
  } catch (err) {
    result.failures.push(`error: ${(err as Error).message}`);
  }
  result.passed = result.failures.length === 0;
  result.latencyMs = Date.now() - started;
  return result;
}

/**
 * Waits until the api accepted the webhook announcing an agent's action, then a moment for the
 * worker's job: the next visitor turn must meet a worker that knows (assigned, closed, reopened).
 */
async function announced(ctx: RunContext, threadId: string, since: number): Promise<void> {
  const deadline = Date.now() + 5000;
  const done = () =>
    ctx.sandbox.sender.deliveries.some(
      (d) => d.at >= since && d.status === 200 && d.events.some((e) => String(e.objectId) === threadId),
    );
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, AGENT_SETTLE_MS));
}

/** One step: a visitor turn (its observation), an agent action (nothing to check), or why it could not run. */
async function play(
  ctx: RunContext,
  threadId: string,
  step: ScenarioTurn,
): Promise<{ messageId: string; turn: TurnObservation; expect?: TurnExpect } | string | undefined> {
  const { client } = ctx.sandbox;
  if ('agent' in step) {
    const at = Date.now();
    await client.agent(threadId, step.agent, step.text);
    await announced(ctx, threadId, at);
    return undefined;
  }
  let text: string;
  let input: string;
  if ('say' in step) [text, input] = [step.say, `say ${JSON.stringify(step.say)}`];
  else if ('tap' in step) {
    const buttons = newestButtons((await client.thread(threadId)).messages);
    const wanted = step.tap.toLowerCase();
    const button = buttons.find((b) => b.label.toLowerCase() === wanted || b.value.toLowerCase() === wanted);
    if (!button)
      return `tap ${JSON.stringify(step.tap)}: no such button (shown: ${buttons.map((b) => b.label).join(', ') || 'none'})`;
    [text, input] = [button.label, `tap ${JSON.stringify(button.label)}`];
  } else {
    const code = await client.latestCode(step.code);
    if (!code) return `code ${step.code}: no verification code was mailed to that address`;
    [text, input] = [code, `code for ${step.code}`];
  }
  const started = Date.now();
  let turn = await client.say(threadId, text, step.expect?.silent ? { timeoutMs: SILENCE_MS } : {});
  // The first message's turn races the welcome (posted when the chat is announced): the page counts
  // the welcome as an answer, so wait on for the turn's own reply.
  while (
    !step.expect?.silent &&
    !turn.replies.some((m) => !WELCOMES.has(m.text)) &&
    Date.now() - started < TURN_TIMEOUT_MS
  ) {
    await new Promise((r) => setTimeout(r, 100));
    turn = await client.settle(threadId, turn.messageId, started, { timeoutMs: TURN_TIMEOUT_MS });
  }
  return {
    messageId: turn.messageId,
    expect: step.expect,
    turn: {
      input,
      replies: turn.replies.map((m) => m.text).filter((t) => !WELCOMES.has(t)),
      notes: turn.after.filter((m) => m.type !== 'MESSAGE').map((m) => `${m.type}: ${m.text}`),
      tools: [],
      tokens: 0,
      ms: turn.ms,
    },
  };
}
