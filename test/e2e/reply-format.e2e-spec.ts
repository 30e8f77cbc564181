import { IDENTITY_TEXTS } from '../../apps/worker/src/identity/identity-texts';
import { itemText } from '../fakes/openai.fake';
import { ENGINES, modelCallsOf } from '../support/engine-view';
import { SystemHarness } from '../support/system-harness';
import { jobIdFor, repliesIn, userItems, visitorSays } from '../support/visitor-turns';

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

  const picture = { type: 'FILE', fileUsageType: 'IMAGE', name: 'factura.jpg', fileId: '9001' };

  it('a picture alone: the visitor is told what works, no model call, never an empty text to the model', async () => {
    h.openai.setModel(() => ({ text: 'the model was asked' }));
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, '', { attachments: [picture] });
    await h.deliver(h.hubspot.webhookEventFor(message));
    await h.waitForJob(jobIdFor(h, message));
    expect(repliesIn(h, thread.id)).toEqual([IDENTITY_TEXTS.en.attachmentOnly]);
    expect(modelCallsOf(h, thread.id)).toEqual([]);
  });

  it('a picture with text: the model reads the text and what arrived', async () => {
    let seen = '';
    h.openai.setModel((ctx) => {
      seen = itemText(userItems(ctx.input).at(-1));
      return { text: 'ok' };
    });
    const thread = h.hubspot.addThread();
    const message = h.hubspot.addVisitorMessage(thread.id, 'Is this invoice right?', { attachments: [picture] });
    await h.deliver(h.hubspot.webhookEventFor(message));
    await h.waitForJob(jobIdFor(h, message));
    expect(seen).toBe(
      'Is this invoice right?\n\n(The visitor also sent an image: factura.jpg. You cannot open attachments.)',
    );
  });
});
