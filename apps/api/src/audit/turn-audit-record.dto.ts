import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type {
  IdentityLevel,
  ToolCallAudit,
  ToolCallStatus,
  TokenUsage,
  TurnAuditRecord,
  TurnOutcomeKind,
} from '@app/audit';

// OpenAPI descriptions of libs/audit's record types. `implements` keeps them in step with the
// interfaces (a field added there and missing here fails the build); libs/audit stays free of Nest.

const OUTCOMES: TurnOutcomeKind[] = ['answered', 'handoff', 'fallback', 'capped', 'failed', 'skipped'];
const TOOL_STATUSES: ToolCallStatus[] = ['ok', 'error', 'refused'];
const IDENTITY_LEVELS: IdentityLevel[] = ['anonymous', 'claimed', 'verified'];

export class ToolCallAuditDto implements ToolCallAudit {
  @ApiProperty({ example: 'get_company' })
  name!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: "the model's arguments with personal data (e-mails, phones, names, free text) redacted",
    example: { cui: '14399840', fields: ['name', 'status'] },
  })
  arguments!: Record<string, unknown>;

  @ApiProperty({ enum: TOOL_STATUSES, description: 'refused = the tool layer or a loop guard said no' })
  status!: ToolCallStatus;

  @ApiPropertyOptional({ description: 'short error text for error/refused calls (no personal data)' })
  error?: string;

  @ApiProperty({ example: 412 })
  durationMs!: number;

  @ApiProperty({ description: 'ListaFirme credits this call spent (0 for free calls)', example: 1 })
  credits!: number;
}

export class TokenUsageDto implements TokenUsage {
  @ApiProperty({ example: 1830 })
  inputTokens!: number;

  @ApiProperty({ example: 214 })
  outputTokens!: number;
}

/** One visitor message's turn, written once by the worker when the turn ends. */
export class TurnAuditRecordDto implements TurnAuditRecord {
  @ApiProperty({ enum: [1] })
  version!: 1;

  @ApiProperty({ example: '22761544' })
  portalId!: string;

  @ApiProperty({ example: '3624100517' })
  threadId!: string;

  @ApiProperty({ example: 'e835c5f42631462ea4447601c8e1e394' })
  messageId!: string;

  @ApiProperty({ example: 'msg-22761544-e835c5f42631462ea4447601c8e1e394' })
  jobId!: string;

  @ApiProperty({ description: 'attempts the queue spent on this turn (1 = first try)', example: 1 })
  attempts!: number;

  @ApiProperty({ type: [String], description: "failed attempts' error messages, oldest first" })
  errors!: string[];

  @ApiPropertyOptional({ description: 'assistant profile that answered', example: 'contacts' })
  profile?: string;

  @ApiPropertyOptional({ enum: IDENTITY_LEVELS, description: "the thread's identity level at the end of the turn" })
  identity?: IdentityLevel;

  @ApiPropertyOptional({ description: 'OpenAI conversation id' })
  conversationId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: "when the visitor's message was created (HubSpot time)" })
  messageAt?: string;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ format: 'date-time' })
  finishedAt!: string;

  @ApiPropertyOptional({ description: "from the visitor's message to the end of the turn (ms)" })
  latencyMs?: number;

  @ApiPropertyOptional({ description: 'of that, waiting for the model (ms)' })
  modelMs?: number;

  @ApiPropertyOptional({ description: 'of that, waiting for tools (ms)' })
  toolMs?: number;

  @ApiPropertyOptional({ description: 'latencyMs minus model and tool time: queueing, HubSpot, Redis, rate budgets' })
  addedLatencyMs?: number;

  @ApiProperty({ enum: OUTCOMES })
  outcome!: TurnOutcomeKind;

  @ApiPropertyOptional({ description: 'the fallback reason, the handoff reason, the cap reached, the skip reason' })
  reason?: string;

  @ApiProperty({ type: [String], description: 'OpenAI response ids' })
  responseIds!: string[];

  @ApiProperty({ type: TokenUsageDto })
  usage!: TokenUsageDto;

  @ApiProperty({ description: 'ListaFirme credits the turn spent', example: 1 })
  credits!: number;

  @ApiProperty({ type: [ToolCallAuditDto] })
  tools!: ToolCallAuditDto[];

  @ApiProperty({ type: [String], description: 'HubSpot ids of the messages the bot posted' })
  replyMessageIds!: string[];

  @ApiPropertyOptional({
    description: "the visitor's message, e-mails and phones redacted; only with AUDIT_STORE_TEXT=true (default off)",
  })
  visitorText?: string;
}
