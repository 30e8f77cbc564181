import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { redactText } from '@app/logging';
import { HandoffService } from '../../threads/handoff.service';
import type { AssistantTool } from './assistant-tool';

export const HAND_OFF_TOOL = 'hand_off_to_human';

/** hand_off_to_human: the model asks for a person; the turn's reply becomes the handoff message. */
@Injectable()
export class HandoffTools {
  constructor(private readonly handoff: HandoffService) {}

  all(): AssistantTool[] {
    const args = z.object({ reason: z.string().trim().min(2).max(300) });
    return [
      {
        name: HAND_OFF_TOOL,
        description:
          'Hand this chat to a human colleague: when the visitor asks for a person, is unhappy, or you cannot help. ' +
          'After this call the assistant stops answering in this chat.',
        parameters: {
          type: 'object',
          properties: { reason: { type: 'string', description: 'Why, in a few words (for the colleague)' } },
          required: ['reason'],
          additionalProperties: false,
        },
        args,
        run: async ({ reason }: z.output<typeof args>, ctx) => {
          // The reason is the model's free text: it may repeat what the visitor said about themselves.
          const safe = redactText(reason, ctx.personalNames);
          await this.handoff.handOff({ portalId: ctx.portalId, threadId: ctx.threadId }, `tool: ${safe}`);
          return { handedOff: true };
        },
      },
    ];
  }
}
