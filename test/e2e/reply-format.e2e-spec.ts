import { ENGINES } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { visitorSays } from '../support/visitor-turns';

// Models write Markdown; the visitor must not read `**` or `[text](url)` as characters.
describe.each(ENGINES)('a Markdown answer reaches HubSpot as richText and clean text (%s engine)', (engine) => {
  let h: SystemHarness;
  beforeAll(async () => {
    h = await SystemHarness.start({ airtable: false, engine });
  });
  afterAll(() => h.stop());

  it('bold, a list and a link: HTML in richText, no markers in text, no HTML from the model', async () => {
    h.openai.setModel(() => ({
      text: '**BORG DESIGN SRL** is active.\n\n- CUI 14837428\n- <i>VAT</i> payer\n\n[Details](https://www.listafirme.ro/borg)',
    }));
    const turn = await visitorSays(h, 'Who is 14837428?');
    const [sent] = h.hubspot.sentMessages(turn.threadId);
    expect(sent.message.text).toBe(
      'BORG DESIGN SRL is active.\n\n• CUI 14837428\n• <i>VAT</i> payer\n\nDetails (https://www.listafirme.ro/borg)',
    );
    expect(sent.message.richText).toBe(
      '<p><strong>BORG DESIGN SRL</strong> is active.</p><ul><li>CUI 14837428</li><li>&lt;i&gt;VAT&lt;/i&gt; payer</li></ul>' +
        '<p><a href="https://www.listafirme.ro/borg" target="_blank" rel="noopener noreferrer">Details</a></p>',
    );
  });
});
