import { FakeAnaf } from '../../../../test/fakes/anaf.fake';
import { FakeListaFirme } from '../../../../test/fakes/listafirme.fake';

/** One company of the offline sample register (invented names; valid CUI checksums). */
export interface SampleCompany {
  cui: string;
  name: string;
  regNo: string;
  city: string;
  county: string;
  street: string;
  nace: string;
  naceDescription: string;
  status: string;
}

/** A handful of fictional companies, enough to show lookups by CUI, by name and by registration number. */
export const SAMPLE_COMPANIES: SampleCompany[] = [
  {
    cui: '14837428',
    name: 'CARPATI SOFTWARE SRL',
    regNo: 'J40/1234/2002',
    city: 'Bucuresti',
    county: 'Bucuresti',
    street: 'Str. Exemplului 10',
    nace: '6201',
    naceDescription: 'Activitati de realizare a soft-ului la comanda',
    status: 'functiune',
  },
  {
    cui: '18547290',
    name: 'DUNAREA LOGISTIC SA',
    regNo: 'J17/455/2006',
    city: 'Galati',
    county: 'Galati',
    street: 'Bd. Portului 3',
    nace: '5210',
    naceDescription: 'Depozitari',
    status: 'functiune',
  },
  {
    cui: '6859662',
    name: 'BRAN TURISM SRL',
    regNo: 'J08/77/1995',
    city: 'Brasov',
    county: 'Brasov',
    street: 'Str. Castelului 5',
    nace: '5510',
    naceDescription: 'Hoteluri si alte facilitati de cazare similare',
    status: 'functiune',
  },
];

/**
 * The sandbox's company register, offline: the ANAF endpoint (by CUI) and a ListaFirme-compatible
 * one (by name or registration number), both answering from SAMPLE_COMPANIES with the providers'
 * own wire formats (the test fakes), so the worker's real clients read them.
 */
export class SampleRegister {
  readonly anaf = new FakeAnaf();
  readonly listaFirme = new FakeListaFirme({ keys: ['sandbox-sample-register'], credits: 1_000_000 });

  constructor(companies: SampleCompany[] = SAMPLE_COMPANIES) {
    for (const c of companies) {
      this.anaf.seed({
        cui: c.cui,
        denumire: c.name,
        nrRegCom: c.regNo,
        adresa: `${c.street}, ${c.city}, jud. ${c.county}`,
        cod_CAEN: c.nace,
        sediu: { denumire_Localitate: c.city, denumire_Judet: c.county, denumire_Strada: c.street },
      });
      this.listaFirme.seedCompany({
        TaxCode: c.cui,
        Name: c.name,
        RegNo: c.regNo,
        Status: c.status,
        County: c.county,
        City: c.city,
        Address: c.street,
        NACE: c.nace,
        NACEDescription: c.naceDescription,
      });
    }
  }

  async start(): Promise<void> {
    await Promise.all([this.anaf.start(), this.listaFirme.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.anaf.stop(), this.listaFirme.stop()]);
  }

  /** The worker's variables that point its company clients here. */
  workerEnv(): Record<string, string> {
    return {
      ANAF_BASE_URL: `${this.anaf.url}/api/PlatitorTvaRest/v9`,
      LISTAFIRME_API_KEY: this.listaFirme.key,
      LISTAFIRME_BASE_URL: `${this.listaFirme.url}/api`,
    };
  }
}
