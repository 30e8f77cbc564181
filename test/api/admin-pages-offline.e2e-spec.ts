import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import request from 'supertest';
import { isPublicRoute } from '../../apps/api/src/security/public-routes';
import { routeInventory } from '../../apps/api/src/security/route-inventory';
import { concretePath, uniqueRoutes } from '../support/admin-routes';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER, newMessageEvent, signedHeaders } from '../support/api-harness';
import { basicAuth, listenLocally } from '../support/raw-http';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

/**
 * Every admin page (each GET route that serves HTML, found in the api's own route inventory), in a
 * real browser: the operator's browser asks no other host for anything — no fonts, scripts,
 * styles, images or frames — and has nothing of the kind referenced for later. The CSP would block
 * such a load without a network request, so a refusal in the console counts too.
 */
describe('admin pages in a real browser make no request to any outside host', () => {
  let h: ApiHarness;
  let browser: Browser;
  let origin: string;
  let pages: string[];

  beforeAll(async () => {
    h = await ApiHarness.start();
    origin = `http://127.0.0.1:${await listenLocally(h.server)}`;
    const body = JSON.stringify([newMessageEvent()]);
    await request(h.server).post('/webhooks/hubspot').set(signedHeaders(body)).send(body).expect(200);
    const [jobId] = await h.jobIds();
    const candidates = uniqueRoutes(routeInventory(h.app.getHttpAdapter().getInstance()))
      .filter((r) => r.method === 'GET' && !isPublicRoute(r.method, r.url))
      .map((r) => concretePath(r.url.replace(':jobId', encodeURIComponent(jobId))));
    pages = [];
    for (const path of candidates) {
      const res = await fetch(`${origin}${path}`, {
        headers: { authorization: basicAuth(BOARD_USER, BOARD_PASSWORD) },
      });
      const type = res.headers.get('content-type') ?? '';
      await res.arrayBuffer();
      if (res.status === 200 && type.startsWith('text/html')) pages.push(path);
    }
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('finds the admin pages in the route inventory (Bull Board views, a job, the API document, the console)', () => {
    expect(pages).toEqual(
      expect.arrayContaining([
        '/admin/queues',
        '/admin/queues/queue/hubspot-events',
        expect.stringMatching(/^\/admin\/queues\/queue\/hubspot-events\/.+/),
        '/admin/docs',
        '/admin',
        '/admin/console/conversations/3624100517',
      ]),
    );
  });

  it('each page: every request same-origin, nothing outside referenced, no CSP refusal', async () => {
    const context = await browser.newContext({ httpCredentials: { username: BOARD_USER, password: BOARD_PASSWORD } });
    const requests: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    const findings: Record<string, { requests: string[]; references: string[]; refusals: string[] }> = {};
    let page: Page | undefined;
    try {
      for (const path of pages) {
        page = await context.newPage();
        const refusals: string[] = [];
        page.on('console', (m) => {
          if (/Content Security Policy|Refused to/i.test(m.text())) refusals.push(m.text());
        });
        requests.length = 0;
        const res = await page.goto(`${origin}${path}`);
        expect(res?.status()).toBe(200);
        // Lazy chunks, fonts and the board's first API polls have come in once the network is quiet.
        await page.waitForLoadState('networkidle', { timeout: 15_000 }).catch(() => undefined);
        const references = await page.evaluate<string[]>(outsideReferences(origin));
        findings[path] = {
          requests: requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u)),
          references,
          refusals,
        };
        await page.close();
      }
      // The board really rendered (so its scripts ran, and could have asked for anything).
      page = await context.newPage();
      await page.goto(`${origin}/admin/queues`);
      await page.getByText('hubspot-events').first().waitFor({ timeout: 15_000 });
      const empty = { requests: [], references: [], refusals: [] };
      expect(findings).toEqual(Object.fromEntries(pages.map((p) => [p, empty])));
    } catch (err) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page
        ?.screenshot({ path: join(ARTIFACTS, 'admin-pages-offline.png'), fullPage: true })
        .catch(() => undefined);
      throw err;
    } finally {
      await context.close();
    }
  }, 120_000);
});

/**
 * Runs in the page (a string: the test's TypeScript has no DOM types): absolute URLs on another
 * origin in anything the browser would load (src, stylesheet/icon/preload links, CSS url() and
 * @import), whether or not it was fetched yet.
 */
const outsideReferences = (origin: string) => `(() => {
  const origin = ${JSON.stringify(origin)};
  const found = [];
  for (const el of document.querySelectorAll('[src], link[href]')) {
    found.push(new URL(el.getAttribute('src') ?? el.getAttribute('href') ?? '', document.baseURI).href);
  }
  for (const sheet of document.styleSheets) {
    if (sheet.href) found.push(sheet.href);
    let rules;
    try {
      rules = sheet.cssRules;
    } catch {
      found.push('unreadable stylesheet ' + (sheet.href ?? ''));
      continue;
    }
    for (const rule of rules) {
      for (const m of rule.cssText.matchAll(/url\\(\\s*["']?([^"')]+)/g)) {
        found.push(new URL(m[1], sheet.href ?? document.baseURI).href);
      }
    }
  }
  return found.filter((u) => !u.startsWith(origin + '/') && !/^(data|blob|about):/.test(u));
})()`;
