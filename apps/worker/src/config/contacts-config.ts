import { env } from '@app/config';
import { DEFAULT_UPDATABLE_PROPERTIES, DEFAULT_VISITOR_UPDATABLE_PROPERTIES } from '../contacts/contact-properties';
import type { ContactsConfig } from './config-sections';

/** The contact and company write-back variables (merged into the worker's schema). */
export const contactsEnvShape = {
  CONTACT_UPDATABLE_PROPERTIES: env.string().default(DEFAULT_UPDATABLE_PROPERTIES.join(',')),
  CONTACT_VISITOR_UPDATABLE_PROPERTIES: env.string().default(DEFAULT_VISITOR_UPDATABLE_PROPERTIES.join(',')),
  CONTACT_LEAD_PROPERTIES: env
    .string()
    .regex(
      /^\s*[a-z0-9_]+=[^,=]+(,\s*[a-z0-9_]+=[^,=]+)*\s*$/i,
      'must look like lifecyclestage=lead,hs_lead_status=OPEN',
    )
    .default('lifecyclestage=lead,hs_lead_status=OPEN'),
  // A contact property that also gets the qualification text ("none" = none: it goes to a CRM note).
  // Not `message` by default: HubSpot forms write the visitor's own text there.
  CONTACT_LEAD_NOTE_PROPERTY: env.string().default('none'),
  // Contact properties the assistant may replace when they already hold a value (default: none).
  CONTACT_OVERWRITE_PROPERTIES: env.string().default(''),
  // The unique company property holding the CUI (npm run hubspot:setup-company-property creates it).
  COMPANY_CUI_PROPERTY: env
    .string()
    .regex(/^[a-z][a-z0-9_]{0,99}$/, 'must be a HubSpot property name (lowercase letters, digits, _)')
    .default('cui'),
  // Company properties save_company may replace when they already hold a value (default: none).
  COMPANY_OVERWRITE_PROPERTIES: env.string().default(''),
};

type ContactsEnv = { [K in keyof typeof contactsEnvShape]: string };

const list = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

export function contactsSection(e: ContactsEnv): ContactsConfig {
  return {
    updatableProperties: list(e.CONTACT_UPDATABLE_PROPERTIES),
    visitorUpdatableProperties: list(e.CONTACT_VISITOR_UPDATABLE_PROPERTIES),
    leadProperties: Object.fromEntries(
      list(e.CONTACT_LEAD_PROPERTIES).map((pair) => pair.split('=').map((x) => x.trim()) as [string, string]),
    ),
    leadNoteProperty: e.CONTACT_LEAD_NOTE_PROPERTY === 'none' ? undefined : e.CONTACT_LEAD_NOTE_PROPERTY,
    overwriteProperties: list(e.CONTACT_OVERWRITE_PROPERTIES),
    companyCuiProperty: e.COMPANY_CUI_PROPERTY,
    companyOverwriteProperties: list(e.COMPANY_OVERWRITE_PROPERTIES),
  };
}
