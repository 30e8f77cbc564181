import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FakeResponse } from '../../../../test/fakes/fake-http-server';
import { LANGUAGES, type HubSpotEmulator, type SandboxLanguage } from '../emulator/hubspot-emulator';
import type { WebhookSender } from '../emulator/webhook-sender';
import type { MailCatcher } from '../mail/mail-catcher';
import { threadView } from './thread-view';

/** What the page shows about the sandbox itself (GET /sandbox/api/info). */
export interface SandboxInfo {
  model: { kind: 'demo' | 'openai' | 'chat-completions'; label: string; name: string };
  /** The api's port on the page's host: Bull Board and the admin views live there. */
  apiPort: number;
  admin: { user: string; password: string };
}

export interface PageContext {
  emulator: HubSpotEmulator;
  sender: WebhookSender;
  mail: MailCatcher;
  info: SandboxInfo;
}

// The page loads nothing but its own files and talks only to its own origin.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/sandbox.css': { file: 'sandbox.css', type: 'text/css; charset=utf-8' },
  '/sandbox.js': { file: 'sandbox.js', type: 'text/javascript; charset=utf-8' },
};

/** apps/sandbox/public, found from the source tree (tests) or from the bundle in dist/apps/sandbox. */
export function publicDir(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'sandbox', 'public');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
  }
  throw new Error(`apps/sandbox/public not found above ${from}`);
}

const json = (status: number, body: unknown): FakeResponse => ({ status, body, headers: SECURITY_HEADERS });
const bad = (message: string) => json(400, { error: message });
const isLanguage = (v: unknown): v is SandboxLanguage => LANGUAGES.includes(v as SandboxLanguage);

/** The chat page and its small JSON API, served by the emulator next to the HubSpot routes. */
export function registerPageRoutes(ctx: PageContext): void {
  const { emulator } = ctx;
  const dir = publicDir();
  for (const [path, { file, type }] of Object.entries(STATIC)) {
    emulator.route('GET', path, () => ({
      status: 200,
      text: readFileSync(join(dir, file), 'utf8'),
      headers: { ...SECURITY_HEADERS, 'content-type': type },
    }));
  }
  emulator.route('GET', '/favicon.ico', () => ({ status: 204, headers: SECURITY_HEADERS }));

  emulator.route('GET', '/sandbox/api/info', () =>
    json(200, { ...ctx.info, inboxes: emulator.inboxes, agent: emulator.agent, bot: emulator.bot }),
  );
  emulator.route('GET', '/sandbox/api/threads', () =>
    json(
      200,
      emulator
        .listThreads()
        .map((t) => threadView(t, emulator))
        .map(({ messages, ...rest }) => ({ ...rest, messages: messages.length })),
    ),
  );
  emulator.route('POST', '/sandbox/api/threads', (req) => {
    const body = (req.body ?? {}) as { inbox?: unknown; language?: unknown };
    const language = body.language ?? 'en';
    if (typeof body.inbox !== 'string' || !emulator.inbox(body.inbox)) return bad('inbox: unknown');
    if (!isLanguage(language)) return bad(`language: one of ${LANGUAGES.join(', ')}`);
    return json(201, threadView(emulator.startChat(body.inbox, language), emulator));
  });
  emulator.route('GET', '/sandbox/api/threads/:threadId', (_req, p) => {
    const thread = emulator.getThread(p.threadId);
    return thread ? json(200, threadView(thread, emulator)) : json(404, { error: 'no such thread' });
  });
  emulator.route('POST', '/sandbox/api/threads/:threadId/visitor', (req, p) => {
    const text = (req.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || !text.trim() || text.length > 5000) return bad('text: 1-5000 characters');
    if (!emulator.getThread(p.threadId)) return json(404, { error: 'no such thread' });
    return json(201, { id: emulator.visitorWrites(p.threadId, text).id });
  });
  emulator.route('POST', '/sandbox/api/threads/:threadId/agent', (req, p) => {
    const { action, text } = (req.body ?? {}) as { action?: unknown; text?: unknown };
    if (!emulator.getThread(p.threadId)) return json(404, { error: 'no such thread' });
    const needsText = action === 'message' || action === 'note';
    if (needsText && (typeof text !== 'string' || !text.trim())) return bad('text: required');
    switch (action) {
      case 'assign':
        emulator.assign(p.threadId, emulator.agent.actorId);
        break;
      case 'unassign':
        emulator.assign(p.threadId, null);
        break;
      case 'close':
        emulator.setStatus(p.threadId, 'CLOSED');
        break;
      case 'reopen':
        emulator.setStatus(p.threadId, 'OPEN');
        break;
      case 'message':
        emulator.agentWrites(p.threadId, text as string);
        break;
      case 'note':
        emulator.agentNotes(p.threadId, text as string);
        break;
      default:
        return bad('action: assign, unassign, close, reopen, message or note');
    }
    return json(200, threadView(emulator.getThread(p.threadId)!, emulator));
  });
  emulator.route('GET', '/sandbox/api/mail', () => json(200, ctx.mail.recent()));
  emulator.route('GET', '/sandbox/api/webhooks', () => json(200, ctx.sender.deliveries.slice(-100)));
}
