import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { emailSchema } from '../../contacts/contact-properties';
import { LANGUAGES } from '../../identity/identity-texts';
import { VerificationCodes } from '../../identity/verification-codes.service';
import { VerificationMailError } from '../../identity/verification-mailer.service';
import { VisitorIdentity } from '../../identity/visitor-identity.service';
import type { AssistantTool } from './assistant-tool';

export const VERIFICATION_TOOLS = ['send_verification_code', 'verify_code'] as const;

/**
 * send_verification_code / verify_code: the visitor proves an address with a one-time code before
 * anything stored about it is read back or changed. The model learns only "sent", "verified",
 * "wrong code": never the code, never whether the address is in the CRM.
 */
@Injectable()
export class VerificationTools {
  constructor(
    private readonly codes: VerificationCodes,
    private readonly identity: VisitorIdentity,
  ) {}

  all(): AssistantTool[] {
    return [this.sendCode(), this.verifyCode()];
  }

  private sendCode(): AssistantTool {
    const args = z.object({ email: z.string().max(254), language: z.enum(LANGUAGES) });
    return {
      name: 'send_verification_code',
      description:
        'E-mail a 6-digit one-time code to an address the visitor says is theirs, so they can prove it. ' +
        'Needed before you may show or change details already stored about them. ' +
        'language: the language the visitor writes in (the e-mail is written in it).',
      parameters: {
        type: 'object',
        properties: {
          email: { type: 'string', description: "The visitor's e-mail address" },
          language: { type: 'string', enum: [...LANGUAGES], description: 'en, ro or nl' },
        },
        required: ['email', 'language'],
        additionalProperties: false,
      },
      args,
      run: async ({ email, language }: z.output<typeof args>, ctx) => {
        const address = emailSchema.safeParse(email);
        if (!address.success) throw new Error('email: is not a valid e-mail address');
        if (ctx.visitor.identity === 'verified' && ctx.visitor.verifiedEmail === address.data) {
          return { status: 'already_verified' };
        }
        if (!this.codes.available) throw new Error('e-mail verification is not available here');
        await ctx.setLanguage?.(language);
        try {
          const result = await this.codes.request(
            { portalId: ctx.portalId, threadId: ctx.threadId },
            address.data,
            language,
          );
          return result.status === 'rate_limited'
            ? { status: 'rate_limited', note: 'too many codes were requested; the visitor should try again later' }
            : { status: 'code_sent', note: 'a code was e-mailed to that address; ask the visitor to type it here' };
        } catch (err) {
          if (err instanceof VerificationMailError) throw new Error('the code could not be e-mailed; try again later');
          throw err;
        }
      },
    };
  }

  private verifyCode(): AssistantTool {
    const args = z.object({ code: z.string().max(20) });
    return {
      name: 'verify_code',
      description:
        'Check the 6-digit code the visitor typed (usually the chat checks it before you see it). ' +
        'Returns verified, wrong_code, expired or locked.',
      parameters: {
        type: 'object',
        properties: { code: { type: 'string', description: 'The code as the visitor typed it' } },
        required: ['code'],
        additionalProperties: false,
      },
      args,
      run: async ({ code }: z.output<typeof args>, ctx) => {
        const digits = code.replace(/\D/g, '');
        if (digits.length !== 6) return { status: 'wrong_code' };
        const result = await this.identity.verify({ portalId: ctx.portalId, threadId: ctx.threadId }, digits);
        if (result.status === 'verified') {
          // The rest of this turn acts on the proved identity too.
          Object.assign(ctx.visitor, {
            identity: 'verified',
            verifiedEmail: result.email,
            contactId: result.contactId,
          });
          return { status: 'verified' };
        }
        if (result.status === 'wrong') return { status: 'wrong_code', attemptsLeft: result.attemptsLeft };
        return { status: result.status };
      },
    };
  }
}
