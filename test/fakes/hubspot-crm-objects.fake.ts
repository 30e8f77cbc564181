import type { FakeResponse, RecordedRequest } from './fake-http-server';
import { FakeCrmSchema, bad, crmError as error } from './hubspot-crm-schema.fake';

/*
 * The CRM objects part of the fake HubSpot: notes (with associations), companies (basic, batch upsert
 * by a unique property, search) and associations v4, on top of the schema part (company property
 * definitions, the app's granted scopes: hubspot-crm-schema.fake.ts). Facts from
 * /work/shared/reference/hubspot.md §4/§8; marked "unverified" where no source confirmed the shape.
 * FakeHubSpot owns the routes (auth, rate limits, faults) and delegates here.
 */

type Json = Record<string, unknown>;

export interface CrmRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** HubSpot-defined association type ids (reference §8; note ones unverified: 202 note→contact, 190 note→company). */
export const ASSOCIATION_TYPES = {
  noteToContact: 202,
  noteToCompany: 190,
  companyToContact: 280,
  contactToCompany: 279,
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export class FakeCrmObjects extends FakeCrmSchema {
  readonly notes = new Map<string, CrmRecord>();
  readonly companies = new Map<string, CrmRecord>();
  /** `fromType:fromId` → set of `toType:toId:typeId`. */
  private readonly links = new Map<string, Set<string>>();
  private nextId = 81000000001;

  constructor(
    private readonly contactExists: (id: string) => boolean,
    private readonly now: () => number,
  ) {
    super();
    this.reset();
  }

  override reset(): void {
    this.notes.clear();
    this.companies.clear();
    this.links.clear();
    super.reset();
  }

  // ------------------------------------------------------------------ seeding & inspection

  addCompany(properties: Record<string, string>): CrmRecord {
    return this.insert(this.companies, properties);
  }

  /** Ids of the `toType` objects associated with `fromType` `fromId` (any association type). */
  associated(fromType: string, fromId: string, toType: string): string[] {
    const out = new Set<string>();
    for (const link of this.links.get(`${fromType}:${fromId}`) ?? []) {
      const [type, id] = link.split(':');
      if (type === toType) out.add(id);
    }
    return [...out];
  }

  notesOf(contactId: string): CrmRecord[] {
    return this.associated('contacts', contactId, 'notes').map((id) => this.notes.get(id)!);
  }

  // ------------------------------------------------------------------ routes (called by FakeHubSpot)

  createNote(req: RecordedRequest): FakeResponse {
    const body = req.body;
    if (!isObject(body) || !isObject(body.properties)) return bad('properties must be an object');
    const props = body.properties as Record<string, unknown>;
    if (typeof props.hs_timestamp !== 'string' || Number.isNaN(Date.parse(props.hs_timestamp))) {
      return bad('hs_timestamp is required (an ISO date or ms epoch)', 'PROPERTY_VALUE_REQUIRED'); // unverified text
    }
    for (const name of Object.keys(props)) {
      if (!['hs_note_body', 'hs_timestamp', 'hubspot_owner_id', 'hs_attachment_ids'].includes(name)) {
        return bad(`Property "${name}" does not exist`, 'PROPERTY_DOESNT_EXIST');
      }
    }
    const links: [string, string, number][] = [];
    for (const a of Array.isArray(body.associations) ? (body.associations as unknown[]) : []) {
      const to = isObject(a) && isObject(a.to) ? String(a.to.id) : '';
      const type = isObject(a) && Array.isArray(a.types) && isObject(a.types[0]) ? a.types[0] : undefined;
      if (!type || type.associationCategory !== 'HUBSPOT_DEFINED') return bad('association types are required');
      const typeId = Number(type.associationTypeId);
      if (typeId === ASSOCIATION_TYPES.noteToContact && this.contactExists(to)) links.push(['contacts', to, typeId]);
      else if (typeId === ASSOCIATION_TYPES.noteToCompany && this.companies.has(to))
        links.push(['companies', to, typeId]);
      else return bad(`association ${typeId} to ${to} is not valid for notes`, 'INVALID_ASSOCIATION');
    }
    const note = this.insert(this.notes, props as Record<string, string>);
    for (const [type, id, typeId] of links) this.link('notes', note.id, type, id, typeId);
    return { status: 201, body: view(note) };
  }

  batchReadNotes(req: RecordedRequest): FakeResponse {
    const body = req.body;
    if (!isObject(body) || !Array.isArray(body.inputs)) return bad('inputs must be an array');
    if (body.inputs.length > 100) return bad('at most 100 inputs per batch');
    const wanted = Array.isArray(body.properties) ? (body.properties as string[]) : undefined;
    const results = (body.inputs as Json[])
      .map((i) => this.notes.get(String(i.id)))
      .filter((n): n is CrmRecord => n !== undefined)
      .map((n) => view(n, wanted));
    return { status: 200, body: this.batch(results) };
  }

  listAssociations(fromType: string, fromId: string, toType: string): FakeResponse {
    const results = [...(this.links.get(`${fromType}:${fromId}`) ?? [])]
      .map((l) => l.split(':'))
      .filter(([type]) => type === toType)
      .map(([, id, typeId]) => ({
        toObjectId: Number(id),
        associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: Number(typeId), label: null }],
      }));
    return { status: 200, body: { results } };
  }

  /** PUT …/associations/default/:toType/:toId — both directions, like HubSpot's answer (shape per the SDK model). */
  associateDefault(fromType: string, fromId: string, toType: string, toId: string): FakeResponse {
    if (!this.exists(fromType, fromId) || !this.exists(toType, toId)) {
      return { status: 404, body: error('OBJECT_NOT_FOUND', `${fromType} ${fromId} or ${toType} ${toId} not found`) };
    }
    const pair = `${fromType}->${toType}`;
    const types: Record<string, [number, number]> = {
      'companies->contacts': [ASSOCIATION_TYPES.companyToContact, ASSOCIATION_TYPES.contactToCompany],
      'contacts->companies': [ASSOCIATION_TYPES.contactToCompany, ASSOCIATION_TYPES.companyToContact],
    };
    if (!types[pair]) return bad(`no default association from ${fromType} to ${toType}`);
    const [forward, back] = types[pair];
    this.link(fromType, fromId, toType, toId, forward, back);
    const spec = (typeId: number) => ({ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId });
    return {
      status: 200,
      body: this.batch([
        { from: { id: fromId }, to: { id: toId }, associationSpec: spec(forward) },
        { from: { id: toId }, to: { id: fromId }, associationSpec: spec(back) },
      ]),
    };
  }

  getCompany(req: RecordedRequest, id: string): FakeResponse {
    const company = this.findCompany(id, req.query.get('idProperty'));
    if (!company) return { status: 404, body: error('OBJECT_NOT_FOUND', `Company ${id} not found`) };
    const wanted = req.query
      .getAll('properties')
      .flatMap((p) => p.split(','))
      .filter(Boolean);
    return { status: 200, body: view(company, wanted.length ? wanted : ['name', 'domain']) };
  }

  /** Batch upsert by a unique property: one company per value, whatever the concurrency. */
  upsertCompanies(req: RecordedRequest): FakeResponse {
    const body = req.body;
    if (!isObject(body) || !Array.isArray(body.inputs)) return bad('inputs must be an array');
    const results: Json[] = [];
    for (const input of body.inputs as Json[]) {
      const idProperty = typeof input.idProperty === 'string' ? input.idProperty : '';
      const def = this.companyProperties.get(idProperty);
      if (!def?.hasUniqueValue) return bad(`idProperty ${JSON.stringify(idProperty)} is not a unique property`);
      if (typeof input.id !== 'string' || !input.id) return bad('each input needs an id');
      const props = isObject(input.properties) ? (input.properties as Record<string, string>) : {};
      const unknown = Object.keys(props).find((p) => !this.companyProperties.has(p));
      if (unknown) return bad(`Property "${unknown}" does not exist`, 'PROPERTY_DOESNT_EXIST');
      const existing = this.findCompany(input.id, idProperty);
      if (existing) {
        Object.assign(existing.properties, props);
        existing.updatedAt = new Date(this.now()).toISOString();
        results.push({ ...view(existing, Object.keys(props)), new: false });
      } else {
        const created = this.insert(this.companies, { ...props, [idProperty]: input.id });
        results.push({ ...view(created, Object.keys(props)), new: true });
      }
    }
    return { status: 200, body: this.batch(results) };
  }

  /** EQ and CONTAINS_TOKEN (with `*` wildcards) over the first filter group; enough for our calls. */
  searchCompanies(req: RecordedRequest): FakeResponse {
    const body = req.body;
    if (!isObject(body) || !Array.isArray(body.filterGroups)) return bad('filterGroups must be an array');
    const filters = ((body.filterGroups[0] as Json | undefined)?.filters ?? []) as Json[];
    const matches = (c: CrmRecord) =>
      filters.every((f) => {
        const have = (c.properties[String(f.propertyName)] ?? '').toLowerCase();
        const want = (typeof f.value === 'string' ? f.value : '').toLowerCase();
        if (f.operator === 'EQ') return have === want;
        if (f.operator === 'CONTAINS_TOKEN') return want.split('*').every((part) => have.includes(part.trim()));
        return false;
      });
    const wanted = Array.isArray(body.properties) ? (body.properties as string[]) : undefined;
    const results = [...this.companies.values()].filter(matches).map((c) => view(c, wanted));
    const limit = typeof body.limit === 'number' ? body.limit : 10;
    return { status: 200, body: { total: results.length, results: results.slice(0, limit) } };
  }

  // ------------------------------------------------------------------ plumbing

  private insert(store: Map<string, CrmRecord>, properties: Record<string, string>): CrmRecord {
    const id = String(this.nextId++);
    const iso = new Date(this.now()).toISOString();
    const record = {
      id,
      properties: { ...properties, hs_object_id: id },
      createdAt: iso,
      updatedAt: iso,
      archived: false,
    };
    store.set(id, record);
    return record;
  }

  private findCompany(id: string, idProperty: string | null): CrmRecord | undefined {
    if (!idProperty || idProperty === 'hs_object_id') return this.companies.get(id);
    return [...this.companies.values()].find((c) => c.properties[idProperty] === id);
  }

  private exists(type: string, id: string): boolean {
    if (type === 'contacts') return this.contactExists(id);
    if (type === 'companies') return this.companies.has(id);
    if (type === 'notes') return this.notes.has(id);
    return false;
  }

  private link(fromType: string, fromId: string, toType: string, toId: string, typeId: number, back = typeId): void {
    const add = (key: string, value: string) => {
      if (!this.links.has(key)) this.links.set(key, new Set());
      this.links.get(key)!.add(value);
    };
    add(`${fromType}:${fromId}`, `${toType}:${toId}:${typeId}`);
    add(`${toType}:${toId}`, `${fromType}:${fromId}:${back}`);
  }

  private batch(results: unknown[]): Json {
    const iso = new Date(this.now()).toISOString();
    return { status: 'COMPLETE', results, startedAt: iso, completedAt: iso };
  }
}

function view(r: CrmRecord, wanted?: string[]): Json {
  const names = wanted && wanted.length ? wanted : Object.keys(r.properties);
  const properties: Record<string, string | null> = { hs_object_id: r.id };
  for (const n of names) properties[n] = r.properties[n] ?? null;
  return { id: r.id, properties, createdAt: r.createdAt, updatedAt: r.updatedAt, archived: r.archived };
}
