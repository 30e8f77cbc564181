import type { Client } from '@hubspot/api-client';
import {
  PropertyCreateFieldTypeEnum as FieldType,
  PropertyCreateTypeEnum as PropertyType,
} from '@hubspot/api-client/lib/codegen/crm/properties';
import { isHubSpotFailure } from '../hubspot/hubspot-errors';
import { REGISTER_COMPANY_PROPERTIES } from './crm-company-properties';

export interface SetupLine {
  property: string;
  outcome: 'exists' | 'created' | 'problem';
  detail?: string;
}

const GROUP = 'companyinformation';
const SCHEMA_SCOPE = 'crm.schemas.companies.write';

/** The company properties save_company writes besides HubSpot's own: the unique CUI first. */
function wanted(cuiProperty: string) {
  return [
    { name: cuiProperty, label: 'CUI', unique: true, description: 'Romanian fiscal code (CUI), unique' },
    { name: REGISTER_COMPANY_PROPERTIES.regNo, label: 'Registration number (ONRC)', unique: false, description: '' },
    { name: REGISTER_COMPANY_PROPERTIES.nace, label: 'NACE / CAEN', unique: false, description: '' },
    { name: REGISTER_COMPANY_PROPERTIES.status, label: 'Register status', unique: false, description: '' },
  ];
}

/**
 * `npm run hubspot:setup-company-property`: creates the company properties save_company needs when
 * they are missing (the CUI one with `hasUniqueValue`, which upsert by CUI relies on). Never changes
 * an existing property: a CUI property that is not unique is reported (HubSpot cannot make an
 * existing property unique; a new name in COMPANY_CUI_PROPERTY is the way out).
 */
export async function setupCompanyProperties(sdk: Client, cuiProperty: string): Promise<SetupLine[]> {
  const lines: SetupLine[] = [];
  for (const p of wanted(cuiProperty)) {
    try {
      const existing = await sdk.crm.properties.coreApi.getByName('companies', p.name);
      if (p.unique && !existing.hasUniqueValue) {
        lines.push({
          property: p.name,
          outcome: 'problem',
          detail: 'exists but is not unique: choose another COMPANY_CUI_PROPERTY name and run this again',
        });
      } else lines.push({ property: p.name, outcome: 'exists' });
      continue;
    } catch (err) {
      if (!isHubSpotFailure(err) || err.code !== 404) {
        lines.push({ property: p.name, outcome: 'problem', detail: explain(err) });
        continue;
      }
    }
    try {
      await sdk.crm.properties.coreApi.create('companies', {
        name: p.name,
        label: p.label,
        description: p.description,
        groupName: GROUP,
        type: PropertyType.String,
        fieldType: FieldType.Text,
        hasUniqueValue: p.unique,
        formField: false,
      });
      lines.push({ property: p.name, outcome: 'created' });
    } catch (err) {
      lines.push({ property: p.name, outcome: 'problem', detail: explain(err) });
    }
  }
  return lines;
}

function explain(err: unknown): string {
  if (isHubSpotFailure(err) && err.code === 403) {
    return `the app lacks the scope ${SCHEMA_SCOPE}: add it (README, "Scopes") or create the property by hand`;
  }
  if (isHubSpotFailure(err)) {
    const message = (err.body as { message?: unknown } | undefined)?.message;
    return `HubSpot answered ${err.code}${typeof message === 'string' ? `: ${message.slice(0, 200)}` : ''}`;
  }
  return String((err as Error)?.message ?? err).slice(0, 200);
}
