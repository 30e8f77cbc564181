import { freeText, normalizeContactProperty } from '../contacts/contact-properties';

/** Custom company properties the register's data goes to (the setup command creates them with the CUI one). */
export const REGISTER_COMPANY_PROPERTIES = {
  regNo: 'ro_registration_number',
  nace: 'ro_nace',
  status: 'ro_company_status',
} as const;

/** What a company read returns: enough to show and to decide what is still empty. */
export const COMPANY_VIEW_PROPERTIES = [
  'name',
  'domain',
  'website',
  'phone',
  'address',
  'city',
  'state',
  'country',
  ...Object.values(REGISTER_COMPANY_PROPERTIES),
];

/**
 * The HubSpot properties of a company from the register's fields (ListaFirme or ANAF names), each
 * validated as a person will see it in HubSpot; fields that do not fit are left out, never written.
 * `industry` is left alone: HubSpot's is a fixed list, NACE codes go to their own property.
 */
export function companyPropertiesFromRegister(
  cuiProperty: string,
  cui: string,
  fields: Record<string, string>,
): Record<string, string> {
  const text = (v: string | undefined) => {
    const parsed = v === undefined ? undefined : freeText().safeParse(v);
    return parsed?.success ? parsed.data : undefined;
  };
  const web = (name: string, v: string | undefined) => {
    try {
      return v ? normalizeContactProperty(name, v) : undefined;
    } catch {
      return undefined;
    }
  };
  const props: Record<string, string | undefined> = {
    [cuiProperty]: cui,
    name: text(fields.Name),
    address: text(fields.Address),
    city: text(fields.City),
    state: text(fields.County),
    country: 'Romania',
    [REGISTER_COMPANY_PROPERTIES.regNo]: text(fields.RegNo),
    [REGISTER_COMPANY_PROPERTIES.nace]: text(fields.NACE),
    [REGISTER_COMPANY_PROPERTIES.status]: text(fields.Status),
    phone: web('phone', fields.Phone),
    website: web('website', fields.Web),
    domain: web('domain', fields.Web),
  };
  return Object.fromEntries(Object.entries(props).filter((e): e is [string, string] => e[1] !== undefined));
}
