import { FakeAirtable } from '../test/fakes/airtable.fake';
import { FakeAnaf } from '../test/fakes/anaf.fake';
import { FakeHubSpot } from '../test/fakes/hubspot.fake';
import { FakeListaFirme } from '../test/fakes/listafirme.fake';
import { defaultModel, type FakeModel, FakeOpenAI, itemText } from '../test/fakes/openai.fake';

/** The bench credentials and Airtable layout the fakes and the worker processes agree on. */
export const BOT_ACTOR = 'A-777';
export const AIRTABLE_BASE = 'appBenchConversations';
export const THREAD_FIELD = 'Hubspot Thread ID';
export const CONVERSATION_FIELD = 'OpenAI Thread ID';
const HUBSPOT_TOKEN = 'pat-bench-hubspot';
const OPENAI_KEY = 'sk-bench-openai';

export interface ProviderFakes {
  hubspot: FakeHubSpot;
  openai: FakeOpenAI;
  airtable: FakeAirtable;
  listafirme: FakeListaFirme;
  anaf: FakeAnaf;
}

const ECHO = 'You said: ';
const LINES = ' | ';

/**
 * The benches' model: echoes every visitor line of the call, in order (`You said: a | b | c`). One line
 * is `You said: a`, as the fake's default model; several are a burst (messages that waited behind a
 * running turn, answered together with one reply). Tool outputs: the default model's summary.
 */
export const echoEveryLine: FakeModel = (ctx) => {
  const lines = ctx.input.filter((i) => i.type === 'message' && i.role === 'user').map(itemText);
  if (lines.length === 0 || ctx.input.some((i) => i.type === 'function_call_output')) return defaultModel(ctx);
  return { text: ECHO + lines.join(LINES) };
};

/** The visitor lines a reply of `echoEveryLine` answers, in order; [] for any other text. */
export function echoedLines(reply: string): string[] {
  return reply.startsWith(ECHO) ? reply.slice(ECHO.length).split(LINES) : [];
}

/** Every provider as a started fake; limits are the caller's to set. */
export async function startProviderFakes(options: {
  modelLatencyMs: number;
  airtable: ConstructorParameters<typeof FakeAirtable>[0];
}): Promise<ProviderFakes> {
  const fakes: ProviderFakes = {
    hubspot: new FakeHubSpot({ accessToken: HUBSPOT_TOKEN }),
    openai: new FakeOpenAI({ apiKey: OPENAI_KEY }),
    airtable: new FakeAirtable(options.airtable),
    listafirme: new FakeListaFirme(),
    anaf: new FakeAnaf(),
  };
  fakes.openai.setModel(echoEveryLine);
  fakes.openai.setModelLatency(options.modelLatencyMs);
  await Promise.all(Object.values(fakes).map((fake: { start(): Promise<unknown> }) => fake.start()));
  fakes.airtable.createBase(AIRTABLE_BASE, { Conversations: [THREAD_FIELD, CONVERSATION_FIELD] });
  return fakes;
}

/** A worker process's provider variables, pointing at the fakes. */
export function workerEnvFor(fakes: ProviderFakes): Record<string, string> {
  return {
    HUBSPOT_ACCESS_TOKEN: HUBSPOT_TOKEN,
    HUBSPOT_BASE_URL: fakes.hubspot.url,
    HUBSPOT_BOT_ACTOR_ID: BOT_ACTOR,
    OPENAI_API_KEY: OPENAI_KEY,
    OPENAI_BASE_URL: `${fakes.openai.url}/v1`,
    OPENAI_MODEL: 'gpt-bench',
    AIRTABLE_API_KEY: fakes.airtable.tokenFor([AIRTABLE_BASE]),
    AIRTABLE_BASE_ID: AIRTABLE_BASE,
    AIRTABLE_ENDPOINT_URL: fakes.airtable.url,
    LISTAFIRME_API_KEY: fakes.listafirme.key,
    LISTAFIRME_BASE_URL: `${fakes.listafirme.url}/api`,
    ANAF_BASE_URL: `${fakes.anaf.url}/api/PlatitorTvaRest/v9`,
  };
}
