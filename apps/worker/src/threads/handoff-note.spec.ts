import { buildHandoffNote, handoffCategory, noteMarker, type HandoffNoteInput } from './handoff-note';

const base: HandoffNoteInput = {
  messageId: 'm1',
  reason: 'the visitor asked for a person',
  language: 'ro',
  visitorText: 'Vreau un om. Scrieți-mi la ana.pop@firma.ro sau 0721 234 567',
  attachments: [],
  toolCalls: [],
  toolOutputs: [],
};

describe('handoff note', () => {
  it.each([
    ['the visitor asked for a person', 'the visitor asked for a person'],
    ['the visitor sent only an attachment', 'the visitor sent only a picture or file'],
    ['the model handed off', 'the assistant decided a person should take over'],
    ['tool: the visitor is upset about an attachment', 'the assistant decided a person should take over'],
    ['a turn failed', 'the assistant could not answer (turn failed)'],
    ['cost cap: conversation tokens', 'the conversation reached its cost cap'],
  ])('names %p as %p', (reason, category) => {
    expect(handoffCategory(reason)).toBe(category);
  });

  it('starts with its marker and masks e-mails and phones the way the audit does', () => {
    const note = buildHandoffNote({ ...base, contactId: '901', email: 'ana.pop@firma.ro' });
    expect(note.split('\n')[0]).toBe(noteMarker('m1'));
    expect(note).toContain('Contact: 901 (a***@firma.ro)');
    expect(note).toContain("Visitor's language: ro");
    expect(note).not.toContain('ana.pop@firma.ro');
    expect(note).not.toContain('234 567');
  });

  it('shows company results but only the name and status of contact tools, masking given names', () => {
    const note = buildHandoffNote({
      ...base,
      names: ['Ana Pop'],
      toolCalls: [
        { name: 'get_company', arguments: {}, status: 'ok', durationMs: 1, credits: 0 },
        { name: 'search_contacts', arguments: {}, status: 'ok', durationMs: 1, credits: 0 },
        { name: 'get_company', arguments: {}, status: 'error', durationMs: 1, credits: 0 },
      ],
      toolOutputs: ['{"name":"BORG DESIGN SRL","contact":"Ana Pop"}', '{"email":"ana.pop@firma.ro"}', '{"error":"x"}'],
    });
    expect(note).toContain(
      'Tools this turn: get_company (ok): {"name":"BORG DESIGN SRL","contact":"[name] [name]"}; search_contacts (ok); get_company (error)',
    );
  });

  it('stays within 1,000 characters, the marker kept', () => {
    const note = buildHandoffNote({ ...base, visitorText: 'x'.repeat(5000), detail: 'tool: y'.repeat(500) });
    expect(note.length).toBeLessThanOrEqual(1000);
    expect(note).toContain(noteMarker('m1'));
    expect(note).toContain(`Visitor wrote: ${'x'.repeat(299)}…`);
  });

  it('says when the bot stayed on out of hours', () => {
    const note = buildHandoffNote({ ...base, stayed: true, closedUntil: 'on Monday from 09:00 (UTC time)' });
    expect(note).toContain(
      'Out of hours: the visitor asked for a person; the assistant stayed on and offered to take a message (people answer on Monday from 09:00 (UTC time)).',
    );
  });
});
