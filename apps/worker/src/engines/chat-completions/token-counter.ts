import { Injectable } from '@nestjs/common';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { ChatMessage } from './transcript.store';

/** Per-message framing tokens of the chat format (role and separators), as OpenAI counts them. */
const MESSAGE_OVERHEAD = 4;
const MIN_RATIO = 0.25;
const MAX_RATIO = 4;

/**
 * Local token estimates (o200k, OpenAI's current encoding), calibrated from what the server
 * reports: other models tokenize differently, so `usage.prompt_tokens` ÷ our estimate of the same
 * request scales the history bound. Per process; a moving average, so one odd answer moves it little.
 */
@Injectable()
export class TokenCounter {
  private ratio = 1;
  private readonly fixedCache = new Map<string, number>();

  count(message: ChatMessage): number {
    const calls = message.role === 'assistant' && message.tool_calls ? JSON.stringify(message.tool_calls) : '';
    return MESSAGE_OVERHEAD + countTokens(message.content ?? '') + (calls ? countTokens(calls) : 0);
  }

  /** The instructions and tool definitions of a request, counted once per distinct pair. */
  fixed(key: string, instructions: string, tools: unknown): number {
    let tokens = this.fixedCache.get(key);
    if (tokens === undefined) {
      tokens = MESSAGE_OVERHEAD + countTokens(instructions) + countTokens(JSON.stringify(tools));
      this.fixedCache.set(key, tokens);
    }
    return tokens;
  }

  /** How many of our tokens fit in `serverTokens` of the server's. */
  toLocal(serverTokens: number): number {
    return Math.floor(serverTokens / this.ratio);
  }

  calibrate(estimated: number, promptTokens: number | undefined): void {
    if (!promptTokens || estimated <= 0) return;
    const observed = Math.min(MAX_RATIO, Math.max(MIN_RATIO, promptTokens / estimated));
    this.ratio = this.ratio * 0.8 + observed * 0.2;
  }

  get calibration(): number {
    return this.ratio;
  }
}
