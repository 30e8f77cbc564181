import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { redactText } from '@app/logging';
import { HandoffService } from '../threads/handoff.service';
import { ToolRefusedError, type AssistantTool, type ToolContext } from './assistant-tool';

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
    const backAt = this.handoff.stayOnUntil();
    if (backAt) {
      // HANDOFF_OUTSIDE_HOURS=stay: nobody is there to take over; the model keeps the chat.
      throw new ToolRefusedError(
        `No colleague is available now (back ${backAt}). Do not say you handed the chat over: tell the ` +
          'visitor when the team is back and offer to take a message (what they need and how to reach them).',
      );
    }
    // The reason is the model's free text: it may repeat what the visitor said about themselves.
    const safe = redactText(reason, ctx.personalNames);
    const ref = { portalId: ctx.portalId, threadId: ctx.threadId };
    await this.handoff.handOff(ref, `tool: ${safe}`, ctx.messageId, { knowledgeGap: ctx.knowledgeGap?.() });
    return { handedOff: true };
  }
}
