import { configProblems } from '@app/config';
import { loadWorkerConfig } from './worker-config';

const required = {
  REDIS_URL: 'redis://redis:6379',
  HUBSPOT_ACCESS_TOKEN: 'pat-na1-0000',
  HUBSPOT_BOT_ACTOR_ID: 'A-12345',
  OPENAI_API_KEY: 'sk-test-0000',
};

describe('outcome and feedback config', () => {
  it('defaults: a 24 h resolution window, the job every 5 min, buttons every 3rd answer, no visitor text', () => {
    const { outcomes } = loadWorkerConfig(required);
    expect(outcomes).toMatchObject({
      resolutionWindowMs: 24 * 3_600_000,
      sweepEveryMs: 300_000,
      feedbackEveryNAnswers: 3,
      storeText: false,
    });
    expect(typeof outcomes.now()).toBe('number');
  });

  it('reads the variables and names a bad one', () => {
    const env = {
      ...required,
      RESOLUTION_WINDOW_HOURS: '48',
      OUTCOME_SWEEP_SECONDS: '60',
      FEEDBACK_EVERY_N_ANSWERS: '0',
      AUDIT_STORE_TEXT: 'true',
    };
    expect(loadWorkerConfig(env).outcomes).toMatchObject({
      resolutionWindowMs: 48 * 3_600_000,
      sweepEveryMs: 60_000,
      feedbackEveryNAnswers: 0,
      storeText: true,
    });
    const problems = configProblems(loadWorkerConfig, {
      ...required,
      RESOLUTION_WINDOW_HOURS: '0',
      AUDIT_STORE_TEXT: 'yes please',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^RESOLUTION_WINDOW_HOURS /),
      expect.stringMatching(/^AUDIT_STORE_TEXT /),
    ]);
  });
});
