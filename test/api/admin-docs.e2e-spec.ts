import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { adminListenerOf } from '../../apps/api/src/security/admin-listener';
import { routeInventory } from '../../apps/api/src/security/route-inventory';
import { ApiHarness, BOARD_PASSWORD, BOARD_USER } from '../support/api-harness';

interface Operation {
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, unknown>;
  requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> };
  security?: Record<string, string[]>[];
}
type OpenApi = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties: Record<string, unknown> }>; securitySchemes: object };
};

const FIXTURE = join(__dirname, '..', 'fixtures', 'hubspot', 'webhook-new-message.body.json');

describe('OpenAPI document at /admin/docs (JSON at /admin/docs-json), behind the admin auth', () => {
  let h: ApiHarness;
  let doc: OpenApi;
  const admin = (path: string) => request(h.server).get(path).auth(BOARD_USER, BOARD_PASSWORD);

  beforeAll(async () => {
    h = await ApiHarness.start();
    const res = await admin('/admin/docs-json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = JSON.parse(res.text) as OpenApi;
  });
  afterAll(() => h.stop());

  it.each([
    '/admin/docs',
    '/admin/docs/',
    '/admin/docs/index.html',
    '/admin/docs-json',
    '/admin/docs/swagger-ui-init.js',
    '/admin/docs/swagger-ui-bundle.js',
    '/admin/docs/swagger-ui.css',
    '/admin/docs/favicon-32x32.png',
    '/admin/docs-yaml',
  ])('GET %s answers 401 with a Basic challenge anonymously', async (path) => {
    const res = await request(h.server).get(path).expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Basic /);
    expect(res.text).not.toContain('swagger');
    expect(res.text).not.toContain('/admin/conversations');
  });

  it('registers its routes through Fastify, so the inventory (and its 401 sweep) covers them', () => {
    const urls = new Set(routeInventory(h.app.getHttpAdapter().getInstance()).map((r) => r.url));
    for (const url of ['/admin/docs', '/admin/docs-json', '/admin/docs/swagger-ui-init.js', '/admin/docs/*']) {
      expect(urls).toContain(url);
    }
    // JSON only: no YAML twin.
    expect(urls).not.toContain('/admin/docs-yaml');
  });

  it('describes the admin endpoints with their parameters, responses and the Basic scheme', () => {
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/admin/audit/export',
      '/admin/conversations/{threadId}',
      '/admin/costs',
      '/admin/knowledge/gaps',
      '/admin/outcomes',
      '/webhooks/hubspot',
    ]);
    const show = doc.paths['/admin/conversations/{threadId}'].get;
    expect(show.parameters).toContainEqual(expect.objectContaining({ name: 'threadId', in: 'path', required: true }));
    expect(Object.keys(show.responses).sort()).toEqual(['200', '400', '401', '404']);
    const exportOp = doc.paths['/admin/audit/export'].get;
    expect(exportOp.parameters?.map((p) => [p.name, p.in, p.required ?? false])).toEqual([
      ['from', 'query', false],
      ['to', 'query', false],
    ]);
    expect(Object.keys(exportOp.responses).sort()).toEqual(['200', '400', '401']);
    const costs = doc.paths['/admin/costs'].get;
    expect(costs.parameters?.map((p) => [p.name, p.in])).toEqual([['day', 'query']]);
    const gaps = doc.paths['/admin/knowledge/gaps'].get;
    expect(gaps.parameters?.map((p) => [p.name, p.in, p.required ?? false])).toEqual([['limit', 'query', false]]);
    expect(Object.keys(gaps.responses).sort()).toEqual(['200', '400', '401']);
    expect(Object.keys(doc.components.schemas.KnowledgeGapDto.properties)).toEqual(
      expect.arrayContaining(['question', 'language', 'profile', 'threadId', 'count', 'firstSeen', 'lastSeen']),
    );
    const outcomes = doc.paths['/admin/outcomes'].get;
    expect(outcomes.parameters?.map((p) => [p.name, p.in, p.required ?? false])).toEqual([
      ['from', 'query', false],
      ['to', 'query', false],
      ['outcome', 'query', false],
      ['profile', 'query', false],
      ['language', 'query', false],
      ['portalId', 'query', false],
      ['limit', 'query', false],
    ]);
    expect(Object.keys(outcomes.responses).sort()).toEqual(['200', '400', '401']);
    expect(Object.keys(doc.components.schemas.OutcomeTotalsDto.properties)).toEqual(
      expect.arrayContaining(['byOutcome', 'byCategory', 'resolutionRate', 'csat', 'tokensPerResolved']),
    );
    for (const op of [show, exportOp, costs, gaps, outcomes]) expect(op.security).toEqual([{ admin: [] }]);
    expect(doc.components.securitySchemes).toEqual({
      admin: expect.objectContaining({ type: 'http', scheme: 'basic' }),
    });
    // The audit record shape of libs/audit, field by field.
    expect(Object.keys(doc.components.schemas.TurnAuditRecordDto.properties)).toEqual(
      expect.arrayContaining(['threadId', 'messageId', 'outcome', 'usage', 'tools', 'latencyMs', 'replyMessageIds']),
    );
  });

  it('describes POST /webhooks/hubspot: body with the captured example, signature headers, status codes', () => {
    const hook = doc.paths['/webhooks/hubspot'].post;
    expect(Object.keys(hook.responses).sort()).toEqual(['200', '400', '401', '413', '415', '503']);
    expect(hook.security).toBeUndefined();
    expect(hook.parameters?.map((p) => [p.name, p.in, p.required])).toEqual([
      ['X-HubSpot-Signature-v3', 'header', true],
      ['X-HubSpot-Request-Timestamp', 'header', true],
    ]);
    const json = hook.requestBody!.content['application/json'];
    expect(json.examples!['conversation.newMessage'].value).toEqual(JSON.parse(readFileSync(FIXTURE, 'utf8')));
    expect(Object.keys(doc.components.schemas.IngestResultDto.properties)).toEqual([
      'accepted',
      'duplicates',
      'ignored',
      'invalid',
    ]);
  });

  it('serves Swagger UI from its own origin only: every reference in the page is relative', async () => {
    const page = await admin('/admin/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const refs = [...page.text.matchAll(/(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]);
    expect(refs).toEqual(
      expect.arrayContaining(['./docs/swagger-ui.css', './docs/swagger-ui-bundle.js', './docs/swagger-ui-init.js']),
    );
    expect(refs.filter((r) => /^(?:[a-z]+:)?\/\//i.test(r))).toEqual([]);
    // No inline script: script-src 'self' holds without a hash or nonce.
    expect([...page.text.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)]).toEqual([]);
    expect(page.headers['content-security-policy']).toContain("script-src 'self';");
    for (const asset of ['/admin/docs/swagger-ui-bundle.js', '/admin/docs/swagger-ui.css']) {
      await admin(asset).expect(200);
    }
    const init = await admin('/admin/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"validatorUrl": null');
    expect(init.text).toContain('/webhooks/hubspot');
  });

  it('with ADMIN_PORT the document is served on the admin listener only', async () => {
    const split = await ApiHarness.start({ ADMIN_PORT: '3999' });
    try {
      const adminListener = adminListenerOf(split.app.getHttpAdapter().getInstance())!;
      for (const path of ['/admin/docs', '/admin/docs-json', '/admin/docs/swagger-ui-init.js']) {
        await request(split.server).get(path).auth(BOARD_USER, BOARD_PASSWORD).expect(404);
        await request(adminListener).get(path).expect(401);
        await request(adminListener).get(path).auth(BOARD_USER, BOARD_PASSWORD).expect(200);
      }
    } finally {
      await split.stop();
    }
  });
});
