import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { JobName } from '@app/contracts';
import type { WorkerConfig } from '../../apps/worker/src/config/worker-config';
import type { SweepResult } from '../../apps/worker/src/outcomes/outcome-sweep.service';
import type { FakeItem } from '../fakes/openai.fake';
import { BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';
import { listenLocally } from '../support/raw-http';
import { SystemHarness } from '../support/system-harness';
import { visitorSays, type VisitorTurn } from '../support/visitor-turns';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const HOUR = 3_600_000;
const fnOutputs = (items: readonly FakeItem[]) => items.filter((i) => i.type === 'function_call_output');

/**
 * Issue 18, the operator console at /admin in a real browser. A scripted run through the real api
 * and worker (fake HubSpot, OpenAI and ListaFirme): a company lookup the visitor follows up on
 * (resolved), a visitor who asks for a person (handed_off, visitor_request), one who never comes
 * back (abandoned); the worker's outcome job decides them once the resolution window passed (a
 * frozen outcome clock, started three days ago so the console's default week shows them).
 * With CONSOLE_SCREENSHOT=1 it also writes the README's docs/images/console.png and
 * console-conversation.png.
 */
describe('operator console at /admin in a real browser', () => {
  let h: SystemHarness;
  let browser: Browser;
  let context: BrowserContext;
  let origin: string;
  const start = Date.now() - 3 * 24 * HOUR;
  let now = start;
  const freezeClocks = (config: WorkerConfig) => {
    Object.assign(config.outcomes, { now: () => now });
    Object.assign(config.handoff, { now: () => now });
  };
  let lookup: VisitorTurn;
  let asked: VisitorTurn;
  let left: VisitorTurn;
  let gap: VisitorTurn;

  beforeAll(async () => {
    h = await SystemHarness.start({
      inProcessWorker: false,
      workerEnv: {
        RESOLUTION_WINDOW_HOURS: '24',
        OUTCOME_SWEEP_SECONDS: '86400',
        FEEDBACK_EVERY_N_ANSWERS: '2',
        // The daily caps the console shows today's spend against (the worker records them).
        CAP_DAILY_TOKENS: '5000000',
        CAP_DAILY_CREDITS: '50',
      },
    });
    await h.startWorker({}, freezeClocks);
    h.listaFirme.seedCompany({ TaxCode: '14837428', Name: 'BORG DESIGN SRL', Status: 'functiune', NACE: '6201' });

    h.openai.setModel((ctx) =>
      fnOutputs(ctx.input).length === 0 && fnOutputs(ctx.history).length === 0
        ? { toolCalls: [{ name: 'get_company', arguments: { cui: '14837428', fields: ['Name', 'Status'] } }] }
        : { text: 'Borg Design SRL is active.' },
    );
    lookup = await visitorSays(h, 'Is company 14837428 active?');
    h.openai.setModel(() => ({ text: 'You are welcome.' }));
    await visitorSays(h, 'Thanks, that is all', { threadId: lookup.threadId });
    // The second answer carried the feedback buttons: the visitor taps "That helped".
    await visitorSays(h, 'That helped', { threadId: lookup.threadId });
    // The next day: two more conversations (the charts show two days).
    now = start + 24 * HOUR;
    asked = await visitorSays(h, 'I want to talk to a person');
    left = await visitorSays(h, 'What are your opening hours?');
    // A question the documents do not answer: the model searched, found nothing, handed off.
    h.openai.setModel((ctx) => {
      const outputs = fnOutputs(ctx.history).length;
      if (outputs === 0)
        return { toolCalls: [{ name: 'search_knowledge', arguments: { question: 'warranty terms' } }] };
      if (outputs === 1)
        return { toolCalls: [{ name: 'hand_off_to_human', arguments: { reason: 'not in the docs' } }] };
      return { text: 'Passing you on.' };
    });
    // This worker keeps the visitor's words (redacted), so the console may show them.
    await h.stopWorker();
    await h.startWorker({ AUDIT_STORE_TEXT: 'true' }, freezeClocks);
    gap = await visitorSays(h, 'What are your warranty terms for refurbished laptops? Mail me at jane.doe@example.com');

    // The resolution window has passed: the outcome job decides all four.
    now = start + 49 * HOUR;
    const job = await h.queue.add(JobName.OutcomeSweep, {}, { jobId: 'console-sweep' });
    expect(((await h.waitForJob(job.id!)).returnvalue as SweepResult).decided).toBe(4);

    origin = `http://127.0.0.1:${await listenLocally(h.api.getHttpServer())}`;
    browser = await launchChromium();
    context = await browser.newContext({
      httpCredentials: { username: BOARD_USER, password: BOARD_PASSWORD },
      viewport: { width: 1280, height: 900 },
    });
  }, 120_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await h?.stop();
  });

  /** Runs a browser step; on failure keeps a screenshot in test-artifacts/. */
  async function withPage(name: string, step: (page: Page) => Promise<void>): Promise<void> {
    const page = await context.newPage();
    const outside: string[] = [];
    page.on('request', (r) => void (r.url().startsWith(`${origin}/`) || outside.push(r.url())));
    try {
      await step(page);
      expect(outside).toEqual([]);
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `admin-console-${name}.png`), fullPage: true }).catch(() => {});
      throw err;
    } finally {
      await page.close();
    }
  }

  it('answers 401 with a basic-auth challenge without credentials, for the pages and the stylesheet', async () => {
    for (const path of ['/admin', '/admin/console/conversations/1', '/admin/console/console.css']) {
      const res = await fetch(`${origin}${path}`);
      expect([path, res.status, res.headers.get('www-authenticate')]).toEqual([
        path,
        401,
        expect.stringMatching(/^Basic /),
      ]);
    }
    const anonymous = await browser.newContext();
    try {
      // A browser without credentials is refused (the page itself aborts on the challenge).
      const res = await anonymous.request.get(`${origin}/admin`);
      expect([res.status(), await res.text()]).toEqual([401, expect.not.stringContaining('Conversations')]);
    } finally {
      await anonymous.close();
    }
  });

  it('logs in and lists the run with the right outcomes, the week figures and the charts', async () => {
    await withPage('list', async (page) => {
      const res = await page.goto(`${origin}/admin`);
      expect(res?.status()).toBe(200);
      expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
      const rowOf = (t: VisitorTurn) => page.locator(`#conversations tr[data-thread="${t.threadId}"]`);
      await expect(rowOf(lookup).locator('.tag').textContent()).resolves.toBe('resolved');
      await expect(rowOf(asked).locator('td').nth(1).textContent()).resolves.toMatch(/handed_off\s+visitor_request/);
      await expect(rowOf(left).locator('.tag').textContent()).resolves.toBe('abandoned');
      await expect(rowOf(gap).locator('td').nth(1).textContent()).resolves.toMatch(/handed_off\s+knowledge_gap/);
      // The knowledge gap it left, with a link to its conversation.
      const gapRow = page.locator('#knowledge-gaps tbody tr');
      await expect(gapRow.count()).resolves.toBe(1);
      const question = await gapRow.locator('td').first().textContent();
      expect(question).toContain('What are your warranty terms for refurbished laptops?');
      expect(question).not.toContain('jane.doe@example.com');
      await expect(gapRow.locator(`a[href="/admin/console/conversations/${gap.threadId}"]`).count()).resolves.toBe(1);
      // Turns and cost per row.
      const cells = await rowOf(lookup).locator('td').allTextContents();
      expect(cells[5]).toBe('3');
      expect(cells[8].trim()).toBe('helped 1');
      expect(Number(cells[6].replace(/,/g, ''))).toBeGreaterThan(0);
      await expect(page.locator('#total-conversations').textContent()).resolves.toBe('4');
      await expect(page.locator('#resolution-rate').textContent()).resolves.toBe('25 %');
      await expect(page.locator('#csat').textContent()).resolves.toBe('100 %');
      // The charts are inline SVG with bars: day one resolved, day two handed off and abandoned.
      const chart = page.locator('figure', { hasText: 'Conversations by outcome' }).locator('svg');
      const bars = await chart.locator('rect.bar title').evaluateAll((titles) => titles.map((t) => t.textContent));
      const [day1, day2] = [start, start + 24 * HOUR].map((ms) => new Date(ms).toISOString().slice(0, 10));
      expect(bars).toEqual([`${day1} resolved: 1`, `${day2} handed_off: 2`, `${day2} abandoned: 1`]);
      const heights = await chart
        .locator('rect.bar')
        .evaluateAll((rects) => rects.map((r) => r.getAttribute('height')));
      expect(heights.every((v) => Number(v) > 10)).toBe(true);
      const box = await chart.boundingBox();
      expect(box?.height).toBeGreaterThan(100);
      await expect(page.locator('#today-costs').textContent()).resolves.toMatch(
        /[\d,]+ of 5,000,000 \([\d.]+ %\) tokens[\s\S]*0\.1 of 50 \(0\.2 %\) credits · 6 turns/,
      );

      // Filters: by outcome, and a search by thread id.
      await page.selectOption('select[name=outcome]', 'handed_off');
      await page.click('form.filters button');
      const handedOff = await page
        .locator('#conversations tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-thread')));
      expect(handedOff.sort()).toEqual([asked.threadId, gap.threadId].sort());
      await page.goto(`${origin}/admin?thread=${left.threadId}`);
      const threads = await page
        .locator('#conversations tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-thread')));
      expect(threads).toEqual([left.threadId]);
      if (process.env.CONSOLE_SCREENSHOT) {
        await page.goto(`${origin}/admin`);
        mkdirSync(join(ROOT, 'docs', 'images'), { recursive: true });
        await page.screenshot({ path: join(ROOT, 'docs', 'images', 'console.png'), fullPage: true });
      }
    });
  });

  it('opens one conversation: its timeline shows the turns, the tool call, tokens, and links', async () => {
    await withPage('conversation', async (page) => {
      await page.goto(`${origin}/admin`);
      await page.click(`#conversations a:text-is("${lookup.threadId}")`);
      await page.waitForURL(`**/admin/console/conversations/${lookup.threadId}`);
      await expect(page.locator('#outcome').textContent()).resolves.toBe('resolved');
      await expect(page.locator('article.turn').count()).resolves.toBe(3);
      const first = page.locator('article.turn').first();
      await expect(first.locator('ul.tools li code').first().textContent()).resolves.toBe('get_company');
      await expect(first.locator('ul.tools').textContent()).resolves.toContain('14837428');
      await expect(first.textContent()).resolves.toMatch(/\d+ tokens/);
      await expect(first.locator(`a[href="/admin/queues/queue/hubspot-events/${lookup.jobId}"]`).count()).resolves.toBe(
        1,
      );
      const hubspot = await page.locator('a', { hasText: 'open in HubSpot' }).getAttribute('href');
      expect(hubspot).toBe(`https://app.hubspot.com/live-messages/${h.hubspot.portalId}/inbox/${lookup.threadId}`);
      if (process.env.CONSOLE_SCREENSHOT) {
        await page.screenshot({ path: join(ROOT, 'docs', 'images', 'console-conversation.png'), fullPage: true });
      }
      // No visitor text: AUDIT_STORE_TEXT was off (the default) when these turns ran.
      await expect(page.locator('main').textContent()).resolves.not.toContain('Is company 14837428 active?');
      await expect(page.locator('article.turn q').count()).resolves.toBe(0);
    });
  });

  it("shows the visitor's words only when the worker stored them (AUDIT_STORE_TEXT=true), redacted", async () => {
    await withPage('visitor-text', async (page) => {
      await page.goto(`${origin}/admin/console/conversations/${gap.threadId}`);
      await expect(page.locator('#outcome').textContent()).resolves.toBe('handed_off');
      const said = await page.locator('article.turn q').allTextContents();
      expect(said).toHaveLength(1);
      expect(said[0]).toContain('What are your warranty terms for refurbished laptops?');
      expect(said[0]).not.toContain('jane.doe@example.com');
      const tools = await page.locator('ul.tools li code:first-child').allTextContents();
      expect(tools).toEqual(['search_knowledge', 'hand_off_to_human']);
    });
  });
});
