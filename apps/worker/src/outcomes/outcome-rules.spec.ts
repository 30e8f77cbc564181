import { HANDOFF_CATEGORIES } from '@app/audit';
import { judgeOutcome, type OutcomeJudgement } from './outcome-rules';
import type { OutcomeSignals } from './outcome-signals.store';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-12-01T10:00:00Z');
const base: OutcomeSignals = {
  portalId: '42',
  threadId: '7001',
  profile: 'support',
  startedAt: String(T0),
  firstAnswerAt: String(T0 + 5_000),
  lastActivityAt: String(T0 + 60_000),
  turns: '2',
  answers: '2',
};
const at = (now: number): OutcomeJudgement => ({
  now,
  resolutionWindowMs: 24 * HOUR,
  language: 'ro',
  spend: { tokens: 1500, credits: 0.5 },
});
const AFTER_WINDOW = T0 + 60_000 + 24 * HOUR;

describe('judgeOutcome (frozen clock)', () => {
  it('waits for the resolution window after the last activity', () => {
    expect(judgeOutcome({ ...base, followUps: '1' }, at(AFTER_WINDOW - 1))).toBeUndefined();
    expect(judgeOutcome({ ...base, followUps: '1' }, at(AFTER_WINDOW))).toBeDefined();
  });

  it('resolved: answered, the visitor carried on, no handoff', () => {
    const record = judgeOutcome({ ...base, followUps: '1' }, at(AFTER_WINDOW))!;
    expect(record).toEqual({
      version: 1,
      portalId: '42',
      threadId: '7001',
      outcome: 'resolved',
      category: undefined,
      profile: 'support',
      language: 'ro',
      startedAt: '2026-12-01T10:00:00.000Z',
      firstAnswerAt: '2026-12-01T10:00:05.000Z',
      lastActivityAt: '2026-12-01T10:01:00.000Z',
      decidedAt: '2026-12-02T10:01:00.000Z',
      turns: 2,
      answers: 2,
      feedback: { helped: 0, moreHelp: 0 },
      tokens: 1500,
      credits: 0.5,
    });
  });

  it('resolved: the visitor said it helped, even without writing again', () => {
    expect(judgeOutcome({ ...base, helped: '1' }, at(AFTER_WINDOW))?.outcome).toBe('resolved');
  });

  it('abandoned: no visitor message after the first answer and no resolution signal', () => {
    expect(judgeOutcome(base, at(AFTER_WINDOW))?.outcome).toBe('abandoned');
    // Never answered (e.g. only failed silently) and never handed off: abandoned too.
    const unanswered = { ...base, answers: '0', firstAnswerAt: undefined };
    expect(judgeOutcome(unanswered, at(AFTER_WINDOW))?.outcome).toBe('abandoned');
  });

  it.each(HANDOFF_CATEGORIES)('handed_off with category %s wins over resolution signals', (category) => {
    const record = judgeOutcome({ ...base, followUps: '3', helped: '1', handoffCategory: category }, at(AFTER_WINDOW));
    expect(record).toMatchObject({ outcome: 'handed_off', category });
  });

  it('"I need more help" is a handoff by the visitor even if its handoff record was lost', () => {
    expect(judgeOutcome({ ...base, followUps: '1', moreHelp: '1' }, at(AFTER_WINDOW))).toMatchObject({
      outcome: 'handed_off',
      category: 'visitor_request',
      feedback: { helped: 0, moreHelp: 1 },
    });
  });

  it('ignores a category outside the fixed set and incomplete signals', () => {
    const odd = { ...base, followUps: '1', handoffCategory: 'whatever' as never };
    expect(judgeOutcome(odd, at(AFTER_WINDOW))?.outcome).toBe('resolved');
    expect(judgeOutcome({ ...base, threadId: undefined }, at(AFTER_WINDOW))).toBeUndefined();
  });
});
