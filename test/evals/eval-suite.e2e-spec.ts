import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runEvals } from '../../apps/evals/src/eval-run';
import type { EvalReport } from '../../apps/evals/src/eval-report';

const EVALS_DIR = path.join(__dirname, '..', '..', 'evals');

/**
 * `npm run eval` in CI: every shipped scenario through the sandbox pipeline (real api and worker,
 * the HubSpot emulator with signed webhooks, the sample register, the mail catcher) against the
 * demo model. It proves the runner and the deterministic paths; a team with a key runs the same
 * files against its own model.
 */
describe('evals: the shipped scenarios against the demo model', () => {
  let report: EvalReport;
  let out: string;
  beforeAll(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'evals-'));
    report = await runEvals({ scenariosDir: EVALS_DIR, dataDir: path.join(out, 'sandbox'), reportDir: out });
  }, 240_000);

  it('ships at least 30 scenarios over both seeds, and every one passes', () => {
    expect(report.total).toBeGreaterThanOrEqual(30);
    expect(new Set(report.scenarios.map((s) => s.profile))).toEqual(new Set(['support', 'contacts']));
    const failed = report.scenarios.filter((s) => !s.passed).map((s) => ({ name: s.name, why: s.failures }));
    expect(failed).toEqual([]);
    expect(report).toMatchObject({ passed: report.total, passRate: 1, threshold: 1, ok: true });
    expect(report.model.label).toBe('demo model (scripted)');
  });

  it('reads tools and tokens from the audit trail, and writes both reports', async () => {
    const cui = report.scenarios.find((s) => s.name === 'company-by-cui')!;
    expect(cui.turns[0].tools).toEqual([
      { name: 'get_company', arguments: { cui: '14837428', fields: null }, status: 'ok' },
    ]);
    expect(cui.tokens).toBeGreaterThan(0);
    expect(cui.judged).toEqual({ verdict: 'not judged', why: expect.any(String) });
    const json = JSON.parse(await readFile(path.join(out, 'eval-report.json'), 'utf8')) as EvalReport;
    expect(json.total).toBe(report.total);
    const html = await readFile(path.join(out, 'eval-report.html'), 'utf8');
    expect(html).toContain('company-by-cui');
    expect(html).not.toMatch(/<script|src=|href=/);
  });
});

describe('evals: a scenario the product does not meet fails, with its reasons', () => {
  it('reports the failed expectations, and the run is below the threshold', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'evals-failing-'));
    await writeFile(
      path.join(dir, 'wrong.yaml'),
      [
        'name: wrong-expectations',
        'description: Expects what the product does not do.',
        'profile: support',
        'turns:',
        '  - say: Can you check CUI 14837428?',
        '    expect:',
        '      tools: [{ name: get_company, args: { cui: "99999999" } }]',
        '      notTools: [get_company]',
        '      replyMatches: BRAN TURISM',
        '      replyLanguage: nl',
        '      handoff: true',
        '      maxTokens: 10',
        'expect:',
        '  contacts: [{ email: nobody@client.example.com }]',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'right.yaml'),
      'name: right\ndescription: Passes.\nprofile: support\nturns:\n  - say: I want to talk to a person\n    expect: { handoff: true }\n',
    );
    const report = await runEvals({ scenariosDir: dir, dataDir: path.join(dir, 'sandbox') });
    expect(report).toMatchObject({ total: 2, passed: 1, ok: false });
    const wrong = report.scenarios.find((s) => s.name === 'wrong-expectations')!;
    expect(wrong.failures).toEqual([
      expect.stringContaining('expected tool get_company {"cui":"99999999"}; called: get_company {"cui":"14837428"'),
      expect.stringContaining('tool get_company must not be called'),
      expect.stringContaining('reply should match BRAN TURISM; got "CARPATI SOFTWARE SRL (CUI 14837428)'),
      expect.stringContaining('tokens > 10'),
      expect.stringContaining('reply should be in nl'),
      expect.stringContaining('expected a handoff; the turn was answered'),
      'contact nobody@client.example.com should exist in the CRM',
    ]);
  }, 60_000);
});
