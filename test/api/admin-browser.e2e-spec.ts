import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import request from 'supertest';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER, newMessageEvent, signedHeaders } from '../support/api-harness';
import { listenLocally } from '../support/raw-http';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

describe('Bull Board in a real browser, under the security headers', () => {
  let h: ApiHarness;
  let browser: Browser;
  let origin: string;

  beforeAll(async () => {
    h = await ApiHarness.start();
    origin = `http://127.0.0.1:${await listenLocally(h.server)}`;
    const body = JSON.stringify([newMessageEvent()]);
    await request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body).expect(200);
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h.stop();
  });

  it('sends the headers on admin pages and on 401s', async () => {
    for (const res of [
      await request(h.server).get('/admin/queues').auth(BOARD_USER, BOARD_PASSWORD),
      await request(h.server).get('/admin/queues'),
    ]) {
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('renders the queue list with credentials; nothing is fetched from another origin', async () => {
    const context = await browser.newContext({ httpCredentials: { username: BOARD_USER, password: BOARD_PASSWORD } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    try {
      await page.goto(`${origin}/admin/queues`);
      await page.getByText('hubspot-events').first().waitFor({ timeout: 15_000 });
      const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
      expect(foreign).toEqual([]);
      // No CSP violation or script error (the Google Fonts link Bull Board ships is removed server-side).
      expect(errors).toEqual([]);
      expect(await page.locator('link[href*="fonts.googleapis.com"]').count()).toBe(0);
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'bull-board-csp.png'), fullPage: true }).catch(() => undefined);
      process.stderr.write(`requests: ${JSON.stringify(requests)}\nconsole errors: ${JSON.stringify(errors)}\n`);
      throw err;
    } finally {
      await context.close();
    }
  }, 60_000);

  it('renders the OpenAPI document (Swagger UI) with credentials: same origin only, no console errors', async () => {
    const context = await browser.newContext({ httpCredentials: { username: BOARD_USER, password: BOARD_PASSWORD } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    try {
      const res = await page.goto(`${origin}/admin/docs`);
      expect(res?.status()).toBe(200);
      // Every operation of the document is listed.
      for (const path of [
        '/admin/conversations/{threadId}',
        '/admin/audit/export',
        '/admin/costs',
        '/admin/knowledge/gaps',
        '/admin/outcomes',
        '/webhooks/hubspot',
      ]) {
        await page.locator('.opblock-summary-path', { hasText: path }).first().waitFor({ timeout: 15_000 });
      }
      expect(await page.locator('.opblock').count()).toBe(6);
      // Opening the webhook shows its signature headers and status codes.
      await page.locator('.opblock-summary-path', { hasText: '/webhooks/hubspot' }).click();
      await page.getByText('X-HubSpot-Signature-v3').first().waitFor({ timeout: 5_000 });
      for (const code of ['200', '401', '413', '415', '503']) {
        expect(await page.locator('.opblock-body .response-col_status', { hasText: code }).count()).toBeGreaterThan(0);
      }
      const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
      expect(foreign).toEqual([]);
      // No CSP violation (the init script is a same-origin file, not inline) and no script error.
      expect(errors).toEqual([]);
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'api-docs-csp.png'), fullPage: true }).catch(() => undefined);
      process.stderr.write(`requests: ${JSON.stringify(requests)}\nconsole errors: ${JSON.stringify(errors)}\n`);
      throw err;
    } finally {
      await context.close();
    }
  }, 60_000);

  it('does not render without credentials', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      // Headless Chromium has no login dialog: a 401 with a Basic challenge ends the navigation.
      const res = await page.goto(`${origin}/admin/queues`).catch((e: Error) => e);
      if (res instanceof Error) expect(res.message).toContain('ERR_INVALID_AUTH_CREDENTIALS');
      else expect(res?.status()).toBe(401);
      expect(await page.getByText('hubspot-events').count()).toBe(0);
      const docs = await page.goto(`${origin}/admin/docs`).catch((e: Error) => e);
      if (docs instanceof Error) expect(docs.message).toContain('ERR_INVALID_AUTH_CREDENTIALS');
      else expect(docs?.status()).toBe(401);
      expect(await page.locator('.opblock').count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
