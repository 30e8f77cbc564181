import { parseEvalArgs } from './eval-args';

describe('npm run eval arguments', () => {
  it('has defaults, and passes --engine / --model to the model choice as variables', () => {
    expect(parseEvalArgs([])).toEqual({ scenariosDir: 'evals', reportDir: '.', judge: false, env: {} });
    expect(
      parseEvalArgs([
        '--filter',
        'handoff',
        '--threshold',
        '0.9',
        '--judge',
        '--engine',
        'chat-completions',
        '--model',
        'gpt-x',
      ]),
    ).toMatchObject({
      filter: 'handoff',
      threshold: 0.9,
      judge: true,
      env: { ASSISTANT_ENGINE: 'chat-completions', OPENAI_MODEL: 'gpt-x' },
    });
  });

  it('refuses unknown flags and out-of-range numbers', () => {
    expect(() => parseEvalArgs(['--treshold', '1'])).toThrow(/treshold/);
    expect(() => parseEvalArgs(['--threshold', '2'])).toThrow('--threshold must be a number from 0 to 1');
    expect(() => parseEvalArgs(['--concurrency', 'many'])).toThrow('--concurrency must be a number from 1 to 16');
  });
});
