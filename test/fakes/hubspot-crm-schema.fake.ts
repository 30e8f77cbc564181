import { randomUUID } from 'node:crypto';
import type { FakeResponse, RecordedRequest } from './fake-http-server';

/*
 * The schema side of the fake HubSpot's CRM: company property definitions (properties API) and the
 * app's granted scopes (a call without its scope gets HubSpot's 403 MISSING_SCOPES; body shape
 * unverified against a live portal). FakeCrmObjects builds on it.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CompanyPropertyDefinition {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  hasUniqueValue: boolean;
}

/** Every scope the CRM object routes check; granted by default. */
export const CRM_SCOPES = [
  'crm.objects.contacts.read',
  'crm.objects.contacts.write',
  'crm.objects.companies.read',
  'crm.objects.companies.write',
  'crm.schemas.companies.read',
  'crm.schemas.companies.write',
];

const DEFAULT_COMPANY_PROPERTIES = [
  'name',
  'domain',
  'website',
  'phone',
  'address',
  'city',
  'state',
  'zip',
  'country',
  'industry',
  'description',
];
export class FakeCrmSchema {
  readonly companyProperties = new Map<string, CompanyPropertyDefinition>();
  private readonly granted = new Set(CRM_SCOPES);

  reset(): void {
    this.companyProperties.clear();
    for (const name of DEFAULT_COMPANY_PROPERTIES) this.defineCompanyProperty({ name });
    this.restoreScopes();
  }

  /** The app loses a scope (HubSpot answers 403 MISSING_SCOPES to calls that need it). */
  revokeScope(...scopes: string[]): void {
    for (const s of scopes) this.granted.delete(s);
  }

  restoreScopes(): void {
    for (const s of CRM_SCOPES) this.granted.add(s);
  }

  defineCompanyProperty(def: Partial<CompanyPropertyDefinition> & { name: string }): void {
    this.companyProperties.set(def.name, {
      label: def.name,
      type: 'string',
      fieldType: 'text',
      groupName: 'companyinformation',
      hasUniqueValue: false,
      ...def,
    });
  }

  /** 403 as HubSpot answers a token without the scope (body shape unverified). */
  scopeCheck(scope: string): FakeResponse | undefined {
    if (this.granted.has(scope)) return undefined;
    return {
      status: 403,
      body: {
        status: 'error',
        message:
          "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
        correlationId: randomUUID(),
        errors: [
          {
            message: 'One or more of the following scopes are required.',
            context: { requiredGranularScopes: [scope] },
          },
        ],
        links: { scopes: 'https://developers.hubspot.com/scopes' },
        category: 'MISSING_SCOPES',
      },
    };
  }

  getCompanyProperty(name: string): FakeResponse {
    const def = this.companyProperties.get(name);
    if (!def) return { status: 404, body: crmError('OBJECT_NOT_FOUND', `Unable to find property ${name}`) };
    return { status: 200, body: propertyView(def) };
  }

  createCompanyProperty(req: RecordedRequest): FakeResponse {
    const b = req.body;
    if (!isObject(b)) return bad('expected an object');
    for (const field of ['name', 'label', 'type', 'fieldType', 'groupName']) {
      if (typeof b[field] !== 'string' || !b[field]) return bad(`${field} is required`);
    }
    if (this.companyProperties.has(String(b.name))) {
      return { status: 409, body: crmError('CONFLICT', `A property named '${String(b.name)}' already exists.`) };
    }
    this.defineCompanyProperty({
      name: String(b.name),
      label: String(b.label),
      type: String(b.type),
      fieldType: String(b.fieldType),
      groupName: String(b.groupName),
      hasUniqueValue: b.hasUniqueValue === true,
    });
    return { status: 201, body: propertyView(this.companyProperties.get(String(b.name))!) };
  }
}

function propertyView(d: CompanyPropertyDefinition): Json {
  return { ...d, description: '', options: [], displayOrder: -1, formField: true, hidden: false };
}

export function crmError(category: string, message: string): Json {
  return { status: 'error', message, correlationId: randomUUID(), category };
}

export function bad(message: string, code = 'INVALID_INPUT'): FakeResponse {
  return { status: 400, body: { ...crmError('VALIDATION_ERROR', message), errors: [{ message, code }] } };
}
