/**
 * What a visitor attached, as words the model (and the audit) can read: "an image: factura.jpg".
 * HubSpot's message attachments carry `type` (FILE for uploads; QUICK_REPLIES are our own buttons)
 * and, for files, `fileUsageType` and a file name (assumed field names: `name` or `fileName`).
 */
const KINDS: Record<string, string> = {
  IMAGE: 'an image',
  STICKER: 'a sticker',
  AUDIO: 'an audio message',
  VOICE_RECORDING: 'a voice message',
};

export function describeAttachments(attachments: unknown): string[] {
  if (!Array.isArray(attachments)) return [];
  return (attachments as unknown[])
    .filter((a): a is Record<string, unknown> => typeof a === 'object' && a !== null)
    .filter((a) => a.type !== 'QUICK_REPLIES')
    .map((a) => {
      const usage = typeof a.fileUsageType === 'string' ? a.fileUsageType : '';
      const kind = KINDS[usage] ?? 'a file';
      const name = typeof a.name === 'string' ? a.name : typeof a.fileName === 'string' ? a.fileName : undefined;
      // The name is the visitor's text: shortened and kept on one line.
      return name ? `${kind}: ${name.replace(/\s+/g, ' ').slice(0, 80)}` : kind;
    });
}
