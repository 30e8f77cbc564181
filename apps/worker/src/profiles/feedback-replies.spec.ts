import { feedbackQuickReplies, offersFeedback, tappedFeedback } from './feedback-replies';
import { FIXED_TEXTS } from './fixed-texts';

describe('feedback buttons', () => {
  const profile = { texts: { en: { feedbackHelped: 'Solved it!' } } };

  it('match a tap or the typed words in any language, without case, diacritics or punctuation', () => {
    expect(tappedFeedback({}, 'That helped')).toBe('helped');
    expect(tappedFeedback({}, 'that helped!!')).toBe('helped');
    expect(tappedFeedback({}, 'Am nevoie de mai mult ajutor')).toBe('more_help');
    expect(tappedFeedback({}, 'm-a ajutat')).toBe('helped');
    expect(tappedFeedback({}, 'ik heb meer hulp nodig')).toBe('more_help');
    expect(tappedFeedback({}, 'That helped, but what about shipping?')).toBeUndefined();
    expect(tappedFeedback({}, '')).toBeUndefined();
  });

  it("use a profile's own labels", () => {
    expect(tappedFeedback(profile, 'solved it')).toBe('helped');
    expect(tappedFeedback(profile, 'That helped')).toBeUndefined();
    expect(feedbackQuickReplies({ ...FIXED_TEXTS.en, feedbackHelped: 'Solved it!' })[0]).toEqual({
      label: 'Solved it!',
      value: 'Solved it!',
      valueType: 'TEXT',
    });
  });

  it('are offered under every Nth answer, never with 0', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => offersFeedback(n, 3))).toEqual([false, false, true, false, false, true]);
    expect(offersFeedback(3, 0)).toBe(false);
  });
});
