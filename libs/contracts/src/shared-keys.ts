/**
 * Redis keys both apps touch. The worker marks every message it posted; the api reads the mark
 * when that message's webhook arrives and acknowledges it without a job (the worker's own check
 * stays for an echo that outruns the mark).
 */
export const ownMessageKey = (portalId: string, messageId: string) => `own-message:${portalId}:${messageId}`;
