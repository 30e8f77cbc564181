import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { redactText } from '@app/logging';
import { HandoffService } from '../threads/handoff.service';
import type { AssistantTool, ToolContext } from './assistant-tool';

export const HAND_OFF_TOOL = 'hand_off_to_human';

const schema = z.object({
  reason: z.string().trim().min(2).max(300).describe('Why, in a few words (for the colleague)'),
});

/** hand_off_to_human: the model asks for a person; the turn's reply becomes the handoff message. */
@Injectable()
export class HandOffToHumanTool implements AssistantTool<typeof schema> {
  readonly name = HAND_OFF_TOOL;
  readonly description =
    'Hand this chat to a human colleague: when the visitor asks for a person, is unhappy, or you cannot help. ' +
    'After this call the assistant stops answering in this chat.';
  readonly schema = schema;

  constructor(private readonly handoff: HandoffService) {}

  async run({ reason }: z.output<typeof schema>, ctx: ToolContext) {
    // The reason is the model's free text: it may repeat what the visitor said about themselves.
    const safe = redactText(reason, ctx.personalNames);
    await this.handoff.handOff({ portalId: ctx.portalId, threadId: ctx.threadId }, `tool: ${safe}`);
    return { handedOff: true };
  }
}
