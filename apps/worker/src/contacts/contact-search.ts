import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts';

export interface ContactSearchCriteria {
  email?: string;
  name?: string;
  phone?: string;
  company?: string;
}

/** Page fetched when some criteria are checked locally after a narrower server-side search. */
export const LOCAL_FILTER_PAGE = 50;
const MAX_NAME_TOKENS = 3;
/** Phones are compared on their last digits so "0721 234 567" matches "+40 721 234 567". */
const PHONE_SUFFIX_DIGITS = 9;

type Operator = 'EQ' | 'CONTAINS_TOKEN';
interface SearchFilter {
  propertyName: string;
  operator: FilterOperatorEnum;
  value: string;
}
const OPERATORS: Record<Operator, FilterOperatorEnum> = {
  EQ: FilterOperatorEnum.Eq,
  CONTAINS_TOKEN: FilterOperatorEnum.ContainsToken,
};

export function cleanCriteria(c: ContactSearchCriteria): ContactSearchCriteria {
  const t = (v: string | undefined): string | undefined => {
    const s = v?.trim().replace(/\s+/g, ' ');
    return s ? s.slice(0, 254) : undefined;
  };
  return { email: t(c.email)?.toLowerCase(), name: t(c.name), phone: t(c.phone), company: t(c.company) };
}

function words(s: string): string[] {
  return s
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

function digits(s: string | null | undefined): string {
  return (s ?? '').replace(/\D/g, '');
}

/**
 * Filter groups (OR across groups, AND within) for the most selective criterion; `exact` = the
 * server applies every criterion, so no local filtering (and no larger page) is needed.
 */
export function buildFilterGroups(c: ContactSearchCriteria): {
  filterGroups: { filters: SearchFilter[] }[];
  exact: boolean;
} {
  const f = (propertyName: string, operator: Operator, value: string): SearchFilter => ({
    propertyName,
    operator: OPERATORS[operator],
    value,
  });
  const others = (...keys: (keyof ContactSearchCriteria)[]) => keys.some((k) => c[k]);

  if (c.email) {
    return { filterGroups: [{ filters: [f('email', 'EQ', c.email)] }], exact: !others('name', 'phone', 'company') };
  }
  if (c.phone) {
    const suffix = digits(c.phone).slice(-PHONE_SUFFIX_DIGITS);
    const groups = ['phone', 'mobilephone'].flatMap((p) => [
      { filters: [f(p, 'EQ', c.phone!)] },
      { filters: [f(p, 'CONTAINS_TOKEN', `*${suffix}`)] },
    ]);
    return { filterGroups: groups, exact: false };
  }
  const company = c.company ? [f('company', 'CONTAINS_TOKEN', c.company)] : [];
  if (!c.name) return { filterGroups: [{ filters: company }], exact: true };

  const tokens = words(c.name).slice(0, MAX_NAME_TOKENS);
  if (tokens.length === 0) return { filterGroups: [{ filters: company }], exact: false };
  if (tokens.length === 1) {
    return {
      filterGroups: [
        { filters: [f('firstname', 'CONTAINS_TOKEN', tokens[0]), ...company] },
        { filters: [f('lastname', 'CONTAINS_TOKEN', tokens[0]), ...company] },
      ],
      exact: false,
    };
  }
  // "Ana Maria Popescu": given names first, or the surname first (common in Romanian usage).
  const last = tokens[tokens.length - 1];
  const first = tokens[0];
  return {
    filterGroups: [
      {
        filters: [
          ...tokens.slice(0, -1).map((t) => f('firstname', 'CONTAINS_TOKEN', t)),
          f('lastname', 'CONTAINS_TOKEN', last),
          ...company,
        ],
      },
      {
        filters: [
          f('lastname', 'CONTAINS_TOKEN', first),
          ...tokens.slice(1).map((t) => f('firstname', 'CONTAINS_TOKEN', t)),
          ...company,
        ],
      },
    ],
    exact: false,
  };
}

/**
 * Whether a contact's properties satisfy every given criterion: e-mail equal (case-insensitive),
 * every name word among the words of first + last name, the phone's last digits equal to those of
 * `phone` or `mobilephone`, the company's words contained consecutively.
 */
export function matchesCriteria(
  properties: Record<string, string | null | undefined>,
  criteria: ContactSearchCriteria,
): boolean {
  const c = cleanCriteria(criteria);
  if (c.email && (properties.email ?? '').trim().toLowerCase() !== c.email) return false;
  if (c.name) {
    const have = new Set(words(`${properties.firstname ?? ''} ${properties.lastname ?? ''}`));
    const want = words(c.name);
    if (want.length === 0 || !want.every((w) => have.has(w))) return false;
  }
  if (c.phone) {
    const want = digits(c.phone).slice(-PHONE_SUFFIX_DIGITS);
    const ok = [properties.phone, properties.mobilephone].some((p) => {
      const have = digits(p);
      return want.length >= 6 && have.length >= want.length && have.endsWith(want);
    });
    if (!ok) return false;
  }
  if (c.company) {
    const want = words(c.company);
    const have = words(properties.company ?? '');
    const found =
      want.length > 0 && have.some((_, i) => i + want.length <= have.length && want.every((w, j) => have[i + j] === w));
    if (!found) return false;
  }
  return true;
}
