import { handoffCategoryOf } from './handoff-category';

describe('handoffCategoryOf', () => {
  it.each([
    ['tool: the visitor wants a quote', 'model_decision'],
    ['tool: the visitor asked for a person', 'model_decision'],
    ['the visitor asked for a person', 'visitor_request'],
    ['the visitor sent only an attachment', 'visitor_request'],
    ['feedback: the visitor needs more help', 'visitor_request'],
    ['a turn failed', 'turn_failed'],
    ['assigned to A-123', 'agent_took_over'],
    ['agent replied: A-123', 'agent_took_over'],
    ['cost cap: daily token cap', 'cost_cap'],
    ['staff gate: no staff address', 'staff_gate'],
    ['something new', 'model_decision'],
  ])('maps %p to %p', (reason, category) => {
    expect(handoffCategoryOf(reason)).toBe(category);
  });

  it('counts what the visitor or the model triggered while closed as out_of_hours', () => {
    expect(handoffCategoryOf('the visitor asked for a person', { closed: true })).toBe('out_of_hours');
    expect(handoffCategoryOf('tool: wants a quote', { closed: true })).toBe('out_of_hours');
    // An agent who takes over is there; a failure or a cap is its own cause.
    expect(handoffCategoryOf('assigned to A-1', { closed: true })).toBe('agent_took_over');
    expect(handoffCategoryOf('a turn failed', { closed: true })).toBe('turn_failed');
    expect(handoffCategoryOf('cost cap: daily token cap', { closed: true })).toBe('cost_cap');
  });

  it('counts a model handoff in a thread with a knowledge gap as knowledge_gap', () => {
    expect(handoffCategoryOf('tool: cannot find the price list', { knowledgeGap: true })).toBe('knowledge_gap');
    expect(handoffCategoryOf('the visitor asked for a person', { knowledgeGap: true })).toBe('visitor_request');
  });
});
