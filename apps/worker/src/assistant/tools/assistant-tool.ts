import type { z } from 'zod';

/** Who a tool call acts for; the tool layer (not the model) decides what it may touch. */
export interface ToolContext {
  portalId: string;
  threadId: string;
  messageId: string;
}

export interface AssistantTool<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /** JSON Schema sent to OpenAI in strict mode: additionalProperties false, every key required. */
  parameters: Record<string, unknown>;
  /** Runtime validation of the model's arguments (the schema is a request, not a guarantee). */
  args: S;
  run(args: z.output<S>, ctx: ToolContext): Promise<unknown>;
}
