import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Which HubSpot APIs the code calls, read from its source, and the scopes each needs. The table is
 * explicit on purpose: a call the table does not know fails the hubspot/ project test until
 * someone states its scope (and so the app's requiredScopes are reviewed with every new call).
 */

/** One HubSpot call site: a REST path literal or a typed SDK call, with the file it is in. */
export interface HubSpotCall {
  kind: 'path' | 'sdk';
  /** `/conversations/v3/conversations/threads…` or `crm.contacts.basicApi.create`. */
  call: string;
  file: string;
}

export interface ScopeRule {
  pattern: RegExp;
  scopes: (match: RegExpExecArray) => string[];
  why: string;
}

/** Typed SDK methods that only read. */
const READ_METHODS = new Set(['getById', 'getPage', 'getAll', 'doSearch', 'read', 'getByName']);

/** Scopes the app lists as optional: only a setup command needs them, the assistant runs without. */
export const OPTIONAL_SCOPES = ['crm.schemas.companies.write'];

/** HubSpot's reference (shared/reference/hubspot.md §3, §4, §8, §10) turned into rules. */
export const SCOPE_RULES: ScopeRule[] = [
  {
    // Threads, messages (replies, COMMENT notes, quick replies), assignee (v3 and dated paths),
    // status, actors: the API reads and writes on the same paths.
    pattern: /^\/conversations\//,
    scopes: () => ['conversations.read', 'conversations.write'],
    why: 'Conversations API (§3, §8)',
  },
  {
    pattern: /^\/visitor-identification\//,
    scopes: () => ['conversations.visitor_identification.tokens.create'],
    why: 'Visitor Identification API (§10)',
  },
  {
    pattern: /^\/crm\/(?:v\d+|\d{4}-\d{2})\/objects\/(contacts|companies)(?:\/|$)/,
    scopes: (m) => [`crm.objects.${m[1]}.read`, `crm.objects.${m[1]}.write`],
    why: 'CRM objects over raw paths (§4, §8)',
  },
  {
    // `crm.contacts.basicApi.create`: the method says read or write.
    pattern: /^crm\.(contacts|companies)\.\w+\.(\w+)$/,
    scopes: (m) => [`crm.objects.${m[1]}.${READ_METHODS.has(m[2]) ? 'read' : 'write'}`],
    why: 'typed CRM object APIs (§4, §8)',
  },
  {
    // Notes on a record's timeline (qualifications): HubSpot's notes guide lists the contacts scopes.
    pattern: /^crm\.notes\.\w+\.(\w+)$/,
    scopes: (m) => [`crm.objects.contacts.${READ_METHODS.has(m[1]) ? 'read' : 'write'}`],
    why: 'CRM notes (HubSpot notes guide: crm.objects.contacts.read/write)',
  },
  {
    // Company property definitions (the setup command): the schema scope, optional in the app.
    pattern: /^crm\.properties\./,
    scopes: () => ['crm.schemas.companies.write'],
    why: 'company property setup (npm run hubspot:setup-company-property)',
  },
  {
    // The only association the product makes is contact ↔ company (§8: 279/280, createDefault).
    pattern: /^crm\.associations\./,
    scopes: () => ['crm.objects.contacts.write', 'crm.objects.companies.write'],
    why: 'contact ↔ company associations (§8)',
  },
];

/**
 * Scopes declared ahead of the code that will use them (another change of the same release):
 * each entry names the calls it is for. The test checks they are requested, and that nothing
 * else is requested without a call or an entry here.
 */
export const PLANNED_SCOPES: Record<string, string> = {};

/** Scopes every developer-platform app lists (HubSpot's own templates, §9). */
export const BASE_SCOPES = ['oauth'];

const PATH_LITERAL =
  /[`'"](\/(?:conversations|crm|visitor-identification|contacts|companies|settings|properties)\/[^`'"\s]*)/g;
// `sdk.crm.contacts.basicApi.create(` or `client.crm.associations.v4.basicApi.createDefault(`.
// `sdk.crm.objects.notes.basicApi.create(` is read as `crm.notes.basicApi.create`.
const SDK_CALL = /\.crm\.(?:objects\.)?(\w+)\.((?:v\d+\.)?\w+)\.(\w+)\s*\(/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) && !/\.spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every HubSpot call site under `dir` (test files excluded). */
export function hubspotCalls(root: string, dir: string): HubSpotCall[] {
  return sourceFiles(join(root, dir)).flatMap((path) => {
    const text = readFileSync(path, 'utf8');
    const file = relative(root, path);
    const paths = [...text.matchAll(PATH_LITERAL)].map((m) => ({ kind: 'path' as const, call: m[1], file }));
    const sdk = [...text.matchAll(SDK_CALL)].map((m) => ({
      kind: 'sdk' as const,
      call: `crm.${m[1]}.${m[2]}.${m[3]}`,
      file,
    }));
    return [...paths, ...sdk];
  });
}

/** The scopes one call needs, or undefined when no rule knows it. */
export function scopesFor(call: string): string[] | undefined {
  for (const rule of SCOPE_RULES) {
    const match = rule.pattern.exec(call);
    if (match) return rule.scopes(match);
  }
  return undefined;
}
