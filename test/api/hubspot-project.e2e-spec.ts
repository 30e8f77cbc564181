import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { configProblems } from '@app/config';
import { TRACKED_THREAD_PROPERTIES } from '@app/contracts';
import { loadApiConfig } from '../../apps/api/src/config/api-config';
import { classifyEvent } from '../../apps/api/src/webhooks/webhook-event.classifier';
import { BASE_SCOPES, hubspotCalls, OPTIONAL_SCOPES, PLANNED_SCOPES, scopesFor } from '../support/hubspot-api-usage';

// The hubspot/ developer-platform project (README "Connect your HubSpot"): what `hs project upload`
// deploys. Nothing here talks to HubSpot; the shapes follow shared/reference/hubspot.md §9.
const ROOT = join(__dirname, '..', '..');
const PROJECT = join(ROOT, 'hubspot');
const CLASSIFIER = join(ROOT, 'apps/api/src/webhooks/webhook-event.classifier.ts');
const CONTROLLER = join(ROOT, 'apps/api/src/webhooks/hubspot-webhook.controller.ts');

type Json = Record<string, unknown>;
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as Json;

interface HubEvent {
  subscriptionType: string;
  propertyName?: string;
  active: boolean;
}

function hsmetaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? hsmetaFiles(join(dir, e.name)) : e.name.endsWith('-hsmeta.json') ? [join(dir, e.name)] : [],
  );
}

const project = readJson(join(PROJECT, 'hsproject.json'));
const components = hsmetaFiles(join(PROJECT, String(project.srcDir))).map((path) => ({
  path: relative(PROJECT, path),
  meta: readJson(path) as { uid: string; type: string; config: Json },
}));
const appConfig = components.find((c) => c.meta.type === 'app')!.meta.config as {
  name: string;
  distribution: string;
  auth: { type: string; requiredScopes: string[]; optionalScopes: string[]; conditionallyRequiredScopes: string[] };
};
const webhooks = components.find((c) => c.meta.type === 'webhooks')!.meta.config as {
  settings: { targetUrl: string; maxConcurrentRequests: number };
  subscriptions: { crmObjects: unknown[]; legacyCrmObjects: unknown[]; hubEvents: HubEvent[] };
};

/** A webhook event as HubSpot would send it for one subscription (§1 envelope). */
function sampleEvent(subscriptionType: string, propertyName?: string): Json {
  return {
    eventId: 1,
    subscriptionId: 2,
    portalId: 22761544,
    appId: 3,
    occurredAt: 1670383777358,
    subscriptionType,
    attemptNumber: 0,
    objectId: 3624100517,
    ...(subscriptionType === 'conversation.newMessage'
      ? { messageId: 'e835c5f42631462ea4447601c8e1e394', messageType: 'MESSAGE', changeFlag: 'NEW_MESSAGE' }
      : {}),
    ...(propertyName ? { propertyName, propertyValue: propertyName === 'status' ? 'CLOSED' : 'A-1' } : {}),
  };
}

/** Every (subscriptionType, propertyName) the api turns into a job, read from its own code. */
function handledEvents(): string[] {
  const cases = [...readFileSync(CLASSIFIER, 'utf8').matchAll(/case '([a-z]+\.[A-Za-z]+)'/g)].map((m) => m[1]);
  expect(cases.length).toBeGreaterThanOrEqual(3);
  return cases.flatMap((type) => {
    if (classifyEvent(sampleEvent(type)).kind === 'job') return [type];
    // A property change counts only for the properties the api tracks.
    return TRACKED_THREAD_PROPERTIES.filter((p) => classifyEvent(sampleEvent(type, p)).kind === 'job').map(
      (p) => `${type}:${p}`,
    );
  });
}

const key = (e: HubEvent) => (e.propertyName ? `${e.subscriptionType}:${e.propertyName}` : e.subscriptionType);

describe('hubspot/ developer-platform project', () => {
  it('hsproject.json names the project, its src folder and a dated platform version', () => {
    expect(project).toEqual({ name: 'hubspot-chat-assistant', srcDir: 'src', platformVersion: expect.any(String) });
    expect(project.platformVersion).toMatch(/^20\d\d\.\d{2}$/);
  });

  it('has one app and one webhooks component, each an *-hsmeta.json under src/app with a unique uid', () => {
    expect(components.map((c) => [c.path, c.meta.type]).sort()).toEqual([
      ['src/app/app-hsmeta.json', 'app'],
      ['src/app/webhooks/webhooks-hsmeta.json', 'webhooks'],
    ]);
    const uids = components.map((c) => c.meta.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^[a-z][a-z0-9_]{2,63}$/);
  });

  it('the app is a private, static-auth app (one account, token shown in HubSpot)', () => {
    expect(appConfig.distribution).toBe('private');
    expect(appConfig.auth.type).toBe('static');
    expect(appConfig.name.length).toBeGreaterThan(0);
    expect(appConfig.auth.optionalScopes).toEqual(OPTIONAL_SCOPES);
    expect(appConfig.auth.conditionallyRequiredScopes).toEqual([]);
    const scopes = appConfig.auth.requiredScopes;
    expect(new Set(scopes).size).toBe(scopes.length);
    for (const scope of scopes) expect(scope).toMatch(/^[a-z_]+(\.[a-z_]+)*$/);
  });

  it('requests a scope for every HubSpot API the worker calls, and no scope nothing calls', () => {
    const calls = hubspotCalls(ROOT, 'apps/worker/src');
    // The scan sees the calls that exist today (a scan that finds nothing proves nothing).
    expect(calls.map((c) => c.call)).toEqual(
      expect.arrayContaining([
        '/conversations/v3/conversations/threads',
        'crm.contacts.searchApi.doSearch',
        'crm.contacts.basicApi.create',
        'crm.contacts.basicApi.update',
        'crm.contacts.basicApi.getById',
        'crm.notes.basicApi.create',
        'crm.companies.batchApi.upsert',
        'crm.properties.coreApi.create',
      ]),
    );
    const unknown = calls.filter((c) => scopesFor(c.call) === undefined);
    expect(unknown).toEqual([]); // add a rule to test/support/hubspot-api-usage.ts, then the scope
    const needed = new Set(calls.flatMap((c) => scopesFor(c.call)!));
    const missing = [...needed].filter(
      (s) => !appConfig.auth.requiredScopes.includes(s) && !OPTIONAL_SCOPES.includes(s),
    );
    expect(missing).toEqual([]);
    const justified = new Set([...needed, ...Object.keys(PLANNED_SCOPES), ...BASE_SCOPES]);
    expect(appConfig.auth.requiredScopes.filter((s) => !justified.has(s))).toEqual([]);
    for (const scope of [...Object.keys(PLANNED_SCOPES), ...BASE_SCOPES]) {
      expect(appConfig.auth.requiredScopes).toContain(scope);
    }
  });

  it('the scope rules tell reads from writes and cover the calls §8 adds (assignee, notes, companies)', () => {
    expect(scopesFor('crm.contacts.basicApi.getById')).toEqual(['crm.objects.contacts.read']);
    expect(scopesFor('crm.contacts.batchApi.upsert')).toEqual(['crm.objects.contacts.write']);
    expect(scopesFor('crm.companies.searchApi.doSearch')).toEqual(['crm.objects.companies.read']);
    expect(scopesFor('crm.companies.basicApi.create')).toEqual(['crm.objects.companies.write']);
    expect(scopesFor('crm.associations.v4.basicApi.createDefault')).toEqual([
      'crm.objects.contacts.write',
      'crm.objects.companies.write',
    ]);
    for (const path of [
      '/conversations/conversations/2026-09-beta/threads/1/assignee',
      '/conversations/conversations/v3/threads/1/assignee',
      '/conversations/v3/conversations/actors/A-1',
    ]) {
      expect(scopesFor(path)).toEqual(['conversations.read', 'conversations.write']);
    }
    expect(scopesFor('crm.deals.basicApi.create')).toBeUndefined();
    expect(scopesFor('/crm/v3/owners')).toBeUndefined();
  });

  it('subscribes to exactly the events the api turns into jobs, all active', () => {
    const handled = handledEvents();
    expect(handled).toEqual(
      expect.arrayContaining([
        'conversation.newMessage',
        'conversation.creation',
        'conversation.propertyChange:assignedTo',
        'conversation.propertyChange:status',
      ]),
    );
    const subscribed = webhooks.subscriptions.hubEvents;
    expect(subscribed.every((e) => e.active === true)).toBe(true);
    expect(subscribed.map(key).sort()).toEqual([...handled].sort());
    // Each subscription, as HubSpot would deliver it, becomes a job (none is dead weight).
    for (const e of subscribed) expect(classifyEvent(sampleEvent(e.subscriptionType, e.propertyName)).kind).toBe('job');
    expect(webhooks.subscriptions.crmObjects).toEqual([]);
    expect(webhooks.subscriptions.legacyCrmObjects).toEqual([]);
  });

  it('targets the api webhook route on a placeholder host the api refuses until it is edited', () => {
    const { targetUrl, maxConcurrentRequests } = webhooks.settings;
    const route = /@Controller\('([^']+)'\)[\s\S]*@Post\('([^']+)'\)/.exec(readFileSync(CONTROLLER, 'utf8'));
    const url = new URL(targetUrl);
    expect(url.protocol).toBe('https:');
    expect(url.pathname).toBe(`/${route?.[1]}/${route?.[2]}`);
    expect(url.hostname).toMatch(/\.invalid$/); // README: the one edit before `hs project upload`
    const problems = configProblems(loadApiConfig, {
      REDIS_URL: 'redis://127.0.0.1:6379',
      HUBSPOT_CLIENT_SECRET: 'a-client-secret',
      HUBSPOT_WEBHOOK_URL: targetUrl,
      BULL_BOARD_USER: 'ops',
      BULL_BOARD_PASSWORD: 'a-long-password',
    });
    expect(problems).toEqual([expect.stringMatching(/^HUBSPOT_WEBHOOK_URL is a placeholder/)]);
    // HubSpot's default, and what the api's 5 s answer budget is sized for (§1).
    expect(maxConcurrentRequests).toBe(10);
  });
});
