import { FakeHttpServer, type FakeResponse, type RecordedRequest } from './fake-http-server';

/**
 * Fake ANAF "PlatitorTvaRest" web service: `POST /api/PlatitorTvaRest/v9/tva` with
 * `[{"cui": 14837428, "data": "YYYY-MM-DD"}]` (≤ 100 entries) →
 * `{"cod":200,"message":"SUCCESS","found":[…],"notFound":[…]}`.
 *
 * Any other path (e.g. the old `/PlatitorTvaRest/api/v8/ws/tva`) answers an HTML 404, like the real server.
 * The 400 body for bad input is a guess (`{"cod":400,"message":…}`); only the status is relied on.
 */

export interface AnafAddress {
  /** Street, number, locality, locality code, county, county code, county plate code, country, details, postcode. */
  denumire_Strada: string;
  numar_Strada: string;
  denumire_Localitate: string;
  cod_Localitate: string;
  denumire_Judet: string;
  cod_Judet: string;
  cod_JudetAuto: string;
  tara: string;
  detalii_Adresa: string;
  cod_Postal: string;
}

export interface AnafCompanySeed {
  cui: number | string;
  denumire: string;
  adresa?: string;
  nrRegCom?: string;
  telefon?: string;
  fax?: string;
  codPostal?: string;
  stare_inregistrare?: string;
  data_inregistrare?: string;
  cod_CAEN?: string;
  iban?: string;
  forma_juridica?: string;
  forma_organizare?: string;
  forma_de_proprietate?: string;
  organFiscalCompetent?: string;
  statusRO_e_Factura?: boolean;
  /** VAT payer (default true). */
  scpTVA?: boolean;
  /** Inactive taxpayer (default false). */
  statusInactivi?: boolean;
  /** Registered office; missing parts are "". */
  sediu?: Partial<AnafAddress>;
}

export interface AnafLookup {
  cui: number;
  data: string;
}

export interface FakeAnafOptions {
  /** Endpoint path (default `/api/PlatitorTvaRest/v9/tva`). */
  path?: string;
  /** Max entries per request (default 100). */
  maxPerRequest?: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class FakeAnaf extends FakeHttpServer {
  readonly path: string;
  /** Every valid `{cui, data}` asked for, in order. */
  readonly lookups: AnafLookup[] = [];

  private readonly companies = new Map<number, AnafCompanySeed>();
  private readonly maxPerRequest: number;

  constructor(options: FakeAnafOptions = {}) {
    super('anaf');
    this.path = options.path ?? '/api/PlatitorTvaRest/v9/tva';
    this.maxPerRequest = options.maxPerRequest ?? 100;
    this.route('POST', this.path, (req) => this.tva(req));
  }

  /** Full endpoint URL (origin + path). */
  get endpoint(): string {
    return this.url + this.path;
  }

  seed(company: AnafCompanySeed): this {
    this.companies.set(Number(String(company.cui).replace(/^RO/i, '')), company);
    return this;
  }

  override reset(): void {
    super.reset();
    this.lookups.length = 0;
  }

  protected override notFound(req: RecordedRequest): FakeResponse {
    return { status: 404, text: `<html><head><title>404 Not Found</title></head><body>${req.path}</body></html>` };
  }

  private tva(req: RecordedRequest): FakeResponse {
    const bad = (message: string): FakeResponse => ({ status: 400, body: { cod: 400, message } });
    const body = req.body;
    if (!Array.isArray(body)) return bad('Request body must be a JSON array of {cui, data}');
    if (body.length === 0) return bad('Empty list');
    if (body.length > this.maxPerRequest) return bad(`At most ${this.maxPerRequest} CUIs per request`);

    const asked: AnafLookup[] = [];
    for (const item of body as unknown[]) {
      if (typeof item !== 'object' || item === null) return bad('Each entry must be {cui, data}');
      const { cui, data } = item as { cui?: unknown; data?: unknown };
      const n = typeof cui === 'number' ? cui : typeof cui === 'string' && /^\d+$/.test(cui) ? Number(cui) : NaN;
      if (!Number.isInteger(n) || n <= 0) return bad(`Invalid cui: ${JSON.stringify(cui)}`);
      if (typeof data !== 'string' || !DATE.test(data)) return bad(`Invalid data: ${JSON.stringify(data)}`);
      asked.push({ cui: n, data });
    }
    this.lookups.push(...asked);

    const found: unknown[] = [];
    const notFound: number[] = [];
    for (const { cui, data } of asked) {
      const c = this.companies.get(cui);
      if (c) found.push(anafRecord(cui, data, c));
      else notFound.push(cui);
    }
    return { status: 200, body: { cod: 200, message: 'SUCCESS', found, notFound } };
  }
}

function address(prefix: 's' | 'd', a: Partial<AnafAddress> = {}): Record<string, string> {
  const keys: (keyof AnafAddress)[] = [
    'denumire_Strada',
    'numar_Strada',
    'denumire_Localitate',
    'cod_Localitate',
    'denumire_Judet',
    'cod_Judet',
    'cod_JudetAuto',
    'tara',
    'detalii_Adresa',
    'cod_Postal',
  ];
  return Object.fromEntries(keys.map((k) => [`${prefix}${k}`, a[k] ?? '']));
}

function anafRecord(cui: number, data: string, c: AnafCompanySeed): Record<string, unknown> {
  const scpTVA = c.scpTVA ?? true;
  return {
    date_generale: {
      cui,
      data,
      denumire: c.denumire,
      adresa: c.adresa ?? '',
      nrRegCom: c.nrRegCom ?? '',
      telefon: c.telefon ?? '',
      fax: c.fax ?? '',
      codPostal: c.codPostal ?? c.sediu?.cod_Postal ?? '',
      act: '',
      stare_inregistrare: c.stare_inregistrare ?? 'INREGISTRAT din data 01.01.2000',
      data_inregistrare: c.data_inregistrare ?? '2000-01-01',
      cod_CAEN: c.cod_CAEN ?? '',
      iban: c.iban ?? '',
      statusRO_e_Factura: c.statusRO_e_Factura ?? false,
      organFiscalCompetent: c.organFiscalCompetent ?? '',
      forma_de_proprietate: c.forma_de_proprietate ?? '',
      forma_organizare: c.forma_organizare ?? '',
      forma_juridica: c.forma_juridica ?? '',
    },
    inregistrare_scop_Tva: {
      scpTVA,
      perioade_TVA: scpTVA
        ? [
            {
              data_inceput_ScpTVA: c.data_inregistrare ?? '2000-01-01',
              data_sfarsit_ScpTVA: '',
              data_anul_imp_ScpTVA: '',
              mesaj_ScpTVA: 'platitor IN SCOPURI de TVA',
            },
          ]
        : [],
    },
    inregistrare_RTVAI: {
      dataInceputTvaInc: '',
      dataSfarsitTvaInc: '',
      dataActualizareTvaInc: '',
      dataPublicareTvaInc: '',
      tipActTvaInc: '',
      statusTvaIncasare: false,
    },
    stare_inactiv: {
      dataInactivare: '',
      dataReactivare: '',
      dataPublicare: '',
      dataRadiere: '',
      statusInactivi: c.statusInactivi ?? false,
    },
    inregistrare_SplitTVA: { dataInceputSplitTVA: '', dataAnulareSplitTVA: '', statusSplitTVA: false },
    adresa_sediu_social: address('s', c.sediu),
    adresa_domiciliu_fiscal: address('d', c.sediu),
  };
}
