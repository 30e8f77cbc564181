import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { VisitorIdentity } from '../identity/visitor-identity.service';
import type { AssistantTool, ToolContext } from './assistant-tool';

const schema = z.object({ code: z.string().max(20).describe('The code as the visitor typed it') });

/** verify_code: checks a code the model was given (the chat usually checks it before the model sees it). */
@Injectable()
export class VerifyCodeTool implements AssistantTool<typeof schema> {
  readonly name = 'verify_code';
  readonly description =
    'Check the 6-digit code the visitor typed (usually the chat checks it before you see it). ' +
    'Returns verified, wrong_code, expired or locked.';
  readonly schema = schema;

  constructor(private readonly identity: VisitorIdentity) {}

  async run({ code }: z.output<typeof schema>, ctx: ToolContext) {
    const digits = code.replace(/\D/g, '');
    if (digits.length !== 6) return { status: 'wrong_code' };
    const result = await this.identity.verify({ portalId: ctx.portalId, threadId: ctx.threadId }, digits);
    if (result.status === 'verified') {
      // The rest of this turn acts on the proved identity too.
      Object.assign(ctx.visitor, { identity: 'verified', verifiedEmail: result.email, contactId: result.contactId });
      return { status: 'verified' };
    }
    if (result.status === 'wrong') return { status: 'wrong_code', attemptsLeft: result.attemptsLeft };
    return { status: result.status };
  }
}
