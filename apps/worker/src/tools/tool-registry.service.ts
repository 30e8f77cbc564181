import { Inject, Injectable, Logger, type Provider } from '@nestjs/common';
import type { ToolCallStatus } from '@app/audit';
import { OutcomeUnknownError } from '../errors/outcome-unknown.error';
import { ToolRefusedError, type AssistantTool, type ToolContext, type ToolDefinition } from './assistant-tool';
import { CreateContactTool } from './create-contact.tool';
import { GetCompanyTool } from './get-company.tool';
import { HandOffToHumanTool } from './hand-off-to-human.tool';
import { QualifyLeadTool } from './qualify-lead.tool';
import { SaveCompanyTool } from './save-company.tool';
import { SearchCompaniesCrmTool } from './search-companies-crm.tool';
import { SearchCompaniesTool } from './search-companies.tool';
import { SearchContactsTool } from './search-contacts.tool';
import { SearchKnowledgeTool } from './search-knowledge.tool';
import { SendVerificationCodeTool } from './send-verification-code.tool';
import { strictJsonSchema } from './strict-json-schema';
import { UpdateContactTool } from './update-contact.tool';
import { VerifyCodeTool } from './verify-code.tool';

/** Every tool class, in one list: the module provides them and the registry takes them all. */
export const TOOL_CLASSES = [
  SearchCompaniesTool,
  GetCompanyTool,
  SearchContactsTool,
  CreateContactTool,
  UpdateContactTool,
  QualifyLeadTool,
  SaveCompanyTool,
  SearchCompaniesCrmTool,
  HandOffToHumanTool,
  SendVerificationCodeTool,
  VerifyCodeTool,
  SearchKnowledgeTool,
] as const;

export const ASSISTANT_TOOLS = Symbol('ASSISTANT_TOOLS');

/** The tool classes and the list the registry takes: add a tool to TOOL_CLASSES, nothing else. */
export const TOOL_PROVIDERS: Provider[] = [
  ...TOOL_CLASSES,
  { provide: ASSISTANT_TOOLS, inject: [...TOOL_CLASSES], useFactory: (...tools: AssistantTool[]) => tools },
];

/** A function call as the model made it. */
export interface ToolCall {
  callId: string;
  name: string;
  /** The raw JSON string from the model: untrusted. */
  arguments: string;
}

export interface ToolOutcome {
  callId: string;
  name: string;
  /** JSON text for the `function_call_output`; an `{"error": ...}` object when the call failed. */
  output: string;
  ok: boolean;
  /** ok, error (failed or invalid), refused (unknown/not allowed tool, or the security boundary said no). */
  status: ToolCallStatus;
  /** Paid credits the call spent. */
  credits: number;
  durationMs: number;
}

const MAX_OUTPUT_CHARS = 8000;

/** The tools, their schemas, argument validation; a failing call becomes an output, never a throw. */
@Injectable()
export class ToolRegistry {
  private readonly logger = new Logger(ToolRegistry.name);
  private readonly tools = new Map<string, AssistantTool>();
  private readonly definitionCache = new Map<string, ToolDefinition[]>();

  constructor(@Inject(ASSISTANT_TOOLS) tools: AssistantTool[]) {
    for (const tool of tools) {
      if (this.tools.has(tool.name)) throw new Error(`two tools are named ${tool.name}`);
      this.tools.set(tool.name, tool);
    }
  }

  /** Engine-neutral definitions for the allowed names (all when omitted); built once per allow-list. */
  definitions(allowed?: string[]): ToolDefinition[] {
    const key = allowed ? allowed.join(',') : '*';
    let defs = this.definitionCache.get(key);
    if (!defs) {
      defs = [...this.tools.values()]
        .filter((t) => !allowed || allowed.includes(t.name))
        .map((t) => ({ name: t.name, description: t.description, parameters: strictJsonSchema(t.schema) }));
      this.definitionCache.set(key, defs);
    }
    return defs;
  }

  isPaid(name: string): boolean {
    return this.tools.get(name)?.paid === true;
  }

  async execute(call: ToolCall, ctx: ToolContext, allowed?: string[]): Promise<ToolOutcome> {
    const started = Date.now();
    let credits = 0;
    const done = (status: ToolCallStatus, payload: unknown): ToolOutcome => {
      let output = JSON.stringify(payload);
      if (output.length > MAX_OUTPUT_CHARS)
        output = JSON.stringify({ error: 'result too large; ask something narrower' });
      const ok = status === 'ok';
      return { callId: call.callId, name: call.name, output, ok, status, credits, durationMs: Date.now() - started };
    };

    const tool = this.tools.get(call.name);
    if (!tool || (allowed && !allowed.includes(call.name))) {
      return done('refused', { error: `unknown tool ${call.name.slice(0, 64)}` });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(call.arguments);
    } catch {
      return done('error', { error: 'arguments are not valid JSON' });
    }
    const parsed = tool.schema.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
      return done('error', { error: `invalid arguments: ${reason}` });
    }
    try {
      const recordCredits = (spent: number) => (credits += spent);
      return done('ok', await tool.run(parsed.data, { ...ctx, recordCredits }));
    } catch (err) {
      // A write that may have happened is not the model's business: the job retries, the tool looks for it.
      if (err instanceof OutcomeUnknownError) throw err;
      // The model reads this and can explain or try something else; the turn goes on.
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn({ tool: call.name, err: message }, 'tool call failed');
      return done(err instanceof ToolRefusedError ? 'refused' : 'error', { error: message });
    }
  }
}
