import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { CONTACTS_PROFILE } from '../../apps/worker/src/profiles/default-profiles';
import { IDENTITY_TEXTS } from '../../apps/worker/src/identity/identity-texts';
import { SANDBOX_STAFF, startSandbox, type Sandbox } from '../../apps/sandbox/src/start-sandbox';

// Screenshots of a failing run are kept here (git-ignored; CI keeps the folder as an artifact).
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const HANDOFF_MESSAGE = "Thanks! I've passed this conversation to a colleague, who will reply here shortly.";
jest.setTimeout(90_000);

describe('sandbox chat page in a real browser (chromium), with the demo model', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ dataDir: `/tmp/sandbox-browser-${process.pid}` });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(sandbox.url);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  /** Keeps a screenshot of the page when a step fails. */
  async function step(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `sandbox-${name}.png`), fullPage: true }).catch(() => undefined);
      throw err;
    }
  }

  const visitor = () => page.getByTestId('visitor-messages');
  const agentPanel = () => page.getByTestId('agent-messages');
  const botSays = (text: string | RegExp) =>
    visitor().getByTestId('visitor-message-bot').filter({ hasText: text }).last().waitFor({ timeout: 15_000 });
  async function write(text: string): Promise<void> {
    await page.getByTestId('visitor-text').fill(text);
    await page.getByTestId('visitor-send').click();
  }

  it('says on the page that the model is the scripted demo', async () => {
    await step('banner', async () => {
      await page.getByTestId('model-banner').filter({ hasText: 'demo model (scripted)' }).waitFor();
    });
  });

  it('staff chat: welcome and buttons, the code from the mail catcher, a tap and its confirmation', async () => {
    await step('staff', async () => {
      await page.getByTestId('inbox').selectOption('contacts');
      await page.getByTestId('new-chat').click();
      await write('hello');
      await botSays(CONTACTS_PROFILE.welcome.en.text);
      const labels = CONTACTS_PROFILE.welcome.en.quickReplies.map((q) => q.label);
      await page
        .getByTestId('quick-reply')
        .nth(labels.length - 1)
        .waitFor();
      expect(await page.getByTestId('quick-reply').allTextContents()).toEqual(labels);
      expect(await visitor().getByTestId('visitor-message-bot').first().textContent()).toContain(
        'demo model (scripted)',
      );
      await botSays(IDENTITY_TEXTS.en.staffPrompt);
      await write(SANDBOX_STAFF.email);
      await botSays(IDENTITY_TEXTS.en.staffCodeSent);
      const code = page.getByTestId('mail-code').first();
      await code.waitFor({ timeout: 10_000 });
      await write((await code.textContent())!);
      await botSays(IDENTITY_TEXTS.en.staffVerified);
      // The buttons of the welcome are still the newest offer: tap one.
      const search = CONTACTS_PROFILE.welcome.en.quickReplies[0];
      await page.getByTestId('quick-reply').filter({ hasText: search.label }).click();
      await botSays(search.confirmation);
    });
  });

  it('visitor chat: "working…" during a turn, a CUI answered, a handoff, and the agent panel with a note', async () => {
    await step('support', async () => {
      await page.getByTestId('inbox').selectOption('support');
      await page.getByTestId('new-chat').click();
      // The chat's first message gets the welcome, posted before (and apart from) its answer: the
      // page's "working…" is checked on the next message, whose turn nothing else answers first.
      await write('hello');
      const bot = visitor().getByTestId('visitor-message-bot');
      for (const deadline = Date.now() + 15_000; (await bot.count()) < 2;) {
        if (Date.now() > deadline) throw new Error('no welcome and answer to the first message');
        await page.waitForTimeout(100);
      }
      // A slow model, so the page is seen while the turn runs.
      sandbox.demoModel!.setLatency(1500);
      await write('Can you look up CUI 14837428?');
      await page.getByTestId('working').waitFor({ state: 'visible', timeout: 5000 });
      await botSays('CARPATI SOFTWARE SRL');
      sandbox.demoModel!.setLatency(0);
      await page.getByTestId('working').waitFor({ state: 'hidden' });
      await write('I want to talk to a person');
      await botSays(HANDOFF_MESSAGE);
      // The agent panel follows the same thread: the visitor's request is there, and the worker's
      // internal note says why it was handed over; a note stays internal.
      await agentPanel().locator('li.visitor').filter({ hasText: 'I want to talk to a person' }).waitFor();
      await agentPanel()
        .getByTestId('agent-note-item')
        .filter({ hasText: 'Handed over: the visitor asked for a person' })
        .waitFor();
      expect(await visitor().getByText('Handed over').count()).toBe(0);
      await page.getByTestId('agent-assign').click();
      await page.getByTestId('thread-state').filter({ hasText: 'assigned to A-2001' }).waitFor();
      await page.getByTestId('agent-text').fill('Customer asked for a person; calling back.');
      await page.getByTestId('agent-note').click();
      await agentPanel().getByTestId('agent-note-item').filter({ hasText: 'calling back' }).waitFor();
      expect(await visitor().getByText('calling back').count()).toBe(0);
    });
  });

  it('made no request to any host but the sandbox itself, and no script or CSP error', () => {
    const origin = new URL(sandbox.url).origin;
    expect(requests.length).toBeGreaterThan(5);
    expect(requests.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(errors).toEqual([]);
  });
});
