import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { emailSchema } from '../contacts/contact-properties';
import { LANGUAGES } from '../identity/identity-texts';
import { VerificationCodes } from '../identity/verification-codes.service';
import { VerificationMailError } from '../identity/verification-mailer.service';
import type { AssistantTool, ToolContext } from './assistant-tool';

const schema = z.object({
  email: z.string().max(254).describe("The visitor's e-mail address"),
  language: z.enum(LANGUAGES).describe('en, ro or nl'),
});

/**
 * send_verification_code: mails a one-time code so the visitor can prove an address. The model
 * learns "sent" or "rate limited": never the code, never whether the address is in the CRM.
 */
@Injectable()
export class SendVerificationCodeTool implements AssistantTool<typeof schema> {
  readonly name = 'send_verification_code';
  readonly description =
    'E-mail a 6-digit one-time code to an address the visitor says is theirs, so they can prove it. ' +
    'Needed before you may show or change details already stored about them. ' +
    'language: the language the visitor writes in (the e-mail is written in it).';
  readonly schema = schema;

  constructor(private readonly codes: VerificationCodes) {}

  async run({ email, language }: z.output<typeof schema>, ctx: ToolContext) {
    const address = emailSchema.safeParse(email);
    if (!address.success) throw new Error('email: is not a valid e-mail address');
    if (ctx.visitor.identity === 'verified' && ctx.visitor.verifiedEmail === address.data) {
      return { status: 'already_verified' };
    }
    try {
      const ref = { portalId: ctx.portalId, threadId: ctx.threadId };
      const result = await this.codes.request(ref, address.data, language);
      // Counted as `unavailable` in verification_events_total: SMTP_URL is not set.
      if (result.status === 'unavailable') throw new Error('e-mail verification is not available here');
      await ctx.setLanguage?.(language);
      return result.status === 'rate_limited'
        ? { status: 'rate_limited', note: 'too many codes were requested; the visitor should try again later' }
        : { status: 'code_sent', note: 'a code was e-mailed to that address; ask the visitor to type it here' };
    } catch (err) {
      if (err instanceof VerificationMailError) throw new Error('the code could not be e-mailed; try again later');
      throw err;
    }
  }
}
