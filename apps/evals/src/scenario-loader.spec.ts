import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadScenarios, parseScenario, ScenarioFileError } from './scenario-loader';

const VALID = `name: ok-one
description: d
profile: support
turns:
  - say: hello
    expect: { replyMatches: hi }
`;

describe('eval scenario files', () => {
  it('parses a valid file with its defaults (language, privacy checks on)', () => {
    const { scenario, problems } = parseScenario('ok.yaml', VALID);
    expect(problems).toEqual([]);
    expect(scenario).toMatchObject({
      file: 'ok.yaml',
      language: 'en',
      turns: [{ say: 'hello', expect: { replyMatches: ['hi'] } }],
      expect: { noOtherPersonData: true, noInstructionsLeak: true },
    });
  });

  it('names the file and the line of a YAML syntax error', () => {
    const { problems } = parseScenario('bad.yaml', 'name: x\nturns: [\n');
    expect(problems).toEqual([expect.stringMatching(/^bad\.yaml: YAML: .*line 3/)]);
  });

  it('names the file and the path of every schema problem', () => {
    const text = VALID.replace('profile: support', 'profile: sales').replace('say: hello', 'sya: hello');
    expect(parseScenario('s.yaml', `${text}expect: { handoff: maybe }\n`).problems).toEqual([
      expect.stringMatching(/^s\.yaml: profile: /),
      expect.stringMatching(/^s\.yaml: turns\[0\]: /),
      expect.stringMatching(/^s\.yaml: expect\.handoff: /),
    ]);
  });

  it('refuses a /regex/ matcher that does not compile, with its path', () => {
    const text = VALID.replace('replyMatches: hi', "replyMatches: '/(unclosed/'");
    expect(parseScenario('r.yaml', text).problems).toEqual([
      expect.stringMatching(/^r\.yaml: turns\[0\]\.expect\.replyMatches: Invalid regular expression/),
    ]);
  });

  it('loads a folder, refuses duplicate names listing every problem, and filters by name or tag', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'scenarios-'));
    await writeFile(path.join(dir, 'a.yaml'), VALID);
    await writeFile(
      path.join(dir, 'b.yaml'),
      VALID.replace('ok-one', 'other').replace('turns:', 'tags: [leads]\nturns:'),
    );
    await writeFile(path.join(dir, 'notes.txt'), 'not a scenario');
    expect((await loadScenarios(dir)).map((s) => s.name)).toEqual(['ok-one', 'other']);
    expect((await loadScenarios(dir, 'LEADS')).map((s) => s.name)).toEqual(['other']);
    await writeFile(path.join(dir, 'c.yaml'), VALID);
    await writeFile(path.join(dir, 'd.yaml'), 'name: Bad Name\n');
    const err = await loadScenarios(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioFileError);
    expect((err as ScenarioFileError).problems).toEqual(
      expect.arrayContaining([
        'c.yaml: name: "ok-one" is already used by a.yaml',
        expect.stringMatching(/^d\.yaml: name: kebab-case/),
        expect.stringMatching(/^d\.yaml: turns: /),
      ]),
    );
  });
});
