import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EMAIL_MASK } from '@app/logging';
import { itemText, type ModelContext, type ModelTurn } from '../fakes/openai.fake';
import { BOARD_PASSWORD, BOARD_USER, signedHeaders, TEST_SECRET, TEST_WEBHOOK_URL } from '../support/api-harness';
import { freePort } from '../support/redis-server';
import { SystemHarness } from '../support/system-harness';
import { jobIdFor } from '../support/visitor-turns';
import { WorkerProcess, type LogLine } from '../support/worker-process';

const API_BUNDLE = join(__dirname, '..', '..', 'dist/apps/api/main.js');
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+/g;
// Short enough to pass get_company's argument schema as a "CUI" (≤ 14 characters).
const VISITOR_EMAIL = 'ioana@pop.ro';
const PHONE = '+40 721 555 123';

/** The built api as a child process at LOG_LEVEL=debug; resolves once it is ready. */
async function startApi(env: Record<string, string>) {
  const port = await freePort();
  const child = spawn(process.execPath, [API_BUNDLE], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    cwd: join(__dirname, '..', '..'),
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`api not ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    text: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const jsonLines = (text: string): LogLine[] =>
  text.split('\n').flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as LogLine] : []));

// The real pino output of both built apps at LOG_LEVEL=debug, through a whole turn in which the
// visitor types an e-mail and a phone, a contact tool runs and a tool fails on the e-mail.
describe('logs of a full turn (built apps, LOG_LEVEL=debug)', () => {
  let h: SystemHarness;
  let api: Awaited<ReturnType<typeof startApi>>;
  let worker: WorkerProcess;
  let apiLog = '';
  let workerLog = '';
  let code = '';

  beforeAll(async () => {
    expect(existsSync(API_BUNDLE)).toBe(true);
    h = await SystemHarness.start({ inProcessWorker: false });
    api = await startApi({
      REDIS_URL: h.redis.url,
      HUBSPOT_CLIENT_SECRET: TEST_SECRET,
      HUBSPOT_WEBHOOK_URL: TEST_WEBHOOK_URL,
      BULL_BOARD_USER: BOARD_USER,
      BULL_BOARD_PASSWORD: BOARD_PASSWORD,
      LOG_LEVEL: 'debug',
      JOB_BACKOFF_MS: '100',
    });
    worker = await WorkerProcess.start('logs', { ...h.workerEnv, LOG_LEVEL: 'debug' });

    h.openai.setModel((ctx: ModelContext): ModelTurn => {
      if (ctx.input.some((i) => i.type === 'function_call_output')) {
        return { text: `Saved, Ioana! We will write to ${VISITOR_EMAIL}.` };
      }
      return {
        toolCalls: [
          {
            name: 'create_contact',
            arguments: {
              email: VISITOR_EMAIL,
              firstname: 'Ioana',
              lastname: 'Pop',
              phone: PHONE,
              company: null,
              jobtitle: null,
            },
          },
          // A confused model passes the e-mail where a CUI belongs: the tool's error names its input.
          { name: 'get_company', arguments: { cui: VISITOR_EMAIL, fields: null } },
        ],
      };
    });
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(
      thread.id,
      `Hi, I'm Ioana Pop, ${VISITOR_EMAIL}, phone ${PHONE}. Please save my details.`,
    );
    const body = JSON.stringify([h.hubspot.webhookEventFor(message)]);
    const res = await fetch(`${api.url}/webhooks/hubspot`, { method: 'POST', headers: signedHeaders(body), body });
    expect(res.status).toBe(200);
    // Operator traffic too: Bull Board with the right and a wrong password.
    for (const password of [BOARD_PASSWORD, 'wrong-password-123']) {
      await fetch(`${api.url}/admin/queues/api/queues`, {
        headers: { authorization: `Basic ${Buffer.from(`${BOARD_USER}:${password}`).toString('base64')}` },
      });
    }
    await h.waitForJob(jobIdFor(h, message), 'completed', 20_000);
    expect(h.hubspot.sentMessages(thread.id)).toHaveLength(1);
    expect(h.hubspot.findContactByEmail(VISITOR_EMAIL)?.properties.phone).toBeDefined();

    // Identity: a one-time code is mailed and typed; then the model hands off with a reason that
    // repeats the visitor's name, phone and address.
    const say = async (threadId: string, text: string) => {
      const m = h.hubspot.addVisitorMessage(threadId, text);
      const b = JSON.stringify([h.hubspot.webhookEventFor(m)]);
      expect(
        (await fetch(`${api.url}/webhooks/hubspot`, { method: 'POST', headers: signedHeaders(b), body: b })).status,
      ).toBe(200);
      await h.waitForJob(jobIdFor(h, m), 'completed', 20_000);
    };
    h.openai.setModel((ctx: ModelContext): ModelTurn =>
      ctx.input.some((i) => i.type === 'function_call_output')
        ? { text: 'Done.' }
        : itemText(ctx.input.at(-1)).startsWith('verify')
          ? { toolCalls: [{ name: 'send_verification_code', arguments: { email: VISITOR_EMAIL, language: 'ro' } }] }
          : {
              toolCalls: [
                {
                  name: 'create_contact',
                  arguments: {
                    email: null,
                    firstname: 'Ioana',
                    lastname: 'Pop',
                    phone: null,
                    company: null,
                    jobtitle: null,
                  },
                },
                {
                  name: 'hand_off_to_human',
                  arguments: { reason: `Ioana Pop (${VISITOR_EMAIL}, ${PHONE}) wants a call` },
                },
              ],
            },
    );
    const verifying = h.hubspot.addThread();
    await say(verifying.id, 'verify my address please');
    code = h.smtp.latestCode(VISITOR_EMAIL);
    await say(verifying.id, `codul este ${code}`);
    expect(h.hubspot.sentMessages(verifying.id).at(-1)!.message.text).toBe(
      'Mulțumesc, adresa ta de e-mail este verificată.',
    );
    await say(h.hubspot.addThread().id, 'please call me back');

    await Promise.all([api.stop(), worker.stop()]);
    apiLog = api.text();
    workerLog = worker.text();
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await h?.stop();
  });

  it('logged the turn (so the checks below are about real lines)', () => {
    const worker = jsonLines(workerLog);
    expect(worker.map((l) => l.msg)).toEqual(expect.arrayContaining(['contact tool call', 'message handled']));
    // Both tools ran and were logged, the one that failed on the e-mail included.
    const tools = worker.filter((l) => l.msg === 'tool call').map((l) => [l.tool, l.status]);
    expect(tools).toEqual(
      expect.arrayContaining([
        ['create_contact', 'ok'],
        ['get_company', 'error'],
      ]),
    );
    // The failing tool's error carried the typed e-mail into a log line: masked on the way out.
    expect(workerLog).toContain(EMAIL_MASK);
    const api = jsonLines(apiLog);
    expect(api.some((l) => (l.req as { url?: string } | undefined)?.url === '/webhooks/hubspot')).toBe(true);
    expect(api.some((l) => l.level === 20)).toBe(true); // debug lines are on
  });

  it('the one-time code and the names the visitor gave appear in neither log', () => {
    expect(code).toMatch(/^\d{6}$/);
    for (const text of [apiLog, workerLog]) {
      expect(text).not.toContain(code);
      expect(text).not.toMatch(/Ioana|\bPop\b/);
    }
    // The handoff reason was logged, redacted.
    expect(jsonLines(workerLog).some((l) => l.msg === 'thread handed off to a human')).toBe(true);
  });

  it('every line is JSON', () => {
    for (const text of [apiLog, workerLog]) {
      for (const line of text.trim().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
  });

  it('no e-mail address and no phone number appear in either log', () => {
    for (const [app, text] of [
      ['api', apiLog],
      ['worker', workerLog],
    ]) {
      expect({ app, emails: text.match(EMAIL) ?? [] }).toEqual({ app, emails: [] });
      expect({ app, phone: /721\s*555\s*123/.test(text) }).toEqual({ app, phone: false });
    }
  });

  it('no token, key, client secret or password appears in either log', () => {
    const secrets = {
      clientSecret: TEST_SECRET,
      boardPassword: BOARD_PASSWORD,
      boardBasicAuth: Buffer.from(`${BOARD_USER}:${BOARD_PASSWORD}`).toString('base64'),
      hubspotToken: h.workerEnv.HUBSPOT_ACCESS_TOKEN,
      openaiKey: h.workerEnv.OPENAI_API_KEY,
      airtableKey: h.workerEnv.AIRTABLE_API_KEY,
      listaFirmeKey: h.workerEnv.LISTAFIRME_API_KEY,
    };
    for (const [name, value] of Object.entries(secrets)) {
      expect(value).toBeTruthy();
      expect({ name, inApi: apiLog.includes(value), inWorker: workerLog.includes(value) }).toEqual({
        name,
        inApi: false,
        inWorker: false,
      });
    }
  });
});
