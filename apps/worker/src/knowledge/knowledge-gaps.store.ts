import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { redactText } from '@app/logging';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { KnowledgeConfig } from '../config/config-sections';
import { indexTerms } from './knowledge-text';
import { knowledgeGapRecord } from './lua/knowledge-gap-record.lua';

/** Most groups of similar questions kept (the oldest go first). */
const MAX_GAPS = 5000;
const MAX_QUESTION_CHARS = 500;

export interface GapOccurrence {
  portalId: string;
  threadId: string;
  messageId: string;
  question: string;
  language?: string;
  profile: string;
  /** Names the visitor gave in this turn: masked like e-mails and phone numbers. */
  personalNames?: string[];
}

/**
 * Records questions the knowledge search found nothing for (GET /admin/knowledge/gaps reads them):
 * personal data redacted, similar questions grouped by their words (folded, stemmed, any order).
 */
@Injectable()
export class KnowledgeGapsStore {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly config: KnowledgeConfig,
  ) {}

  /** The group's count after this message, or 0 when it was counted before (a retry) or has no words. */
  async record(gap: GapOccurrence): Promise<number> {
    const id = gapId(gap.question);
    if (!id) return 0;
    const question = redactText(gap.question, gap.personalNames).slice(0, MAX_QUESTION_CHARS);
    const result = await knowledgeGapRecord.run(
      this.redis,
      RedisKeys.knowledgeGapMessage(gap.portalId, gap.messageId),
      RedisKeys.knowledgeGap(id),
      RedisKeys.knowledgeGapIndex(),
      Date.now(),
      question,
      gap.language ?? '',
      gap.profile,
      gap.threadId,
      this.config.gapRetentionSeconds,
      MAX_GAPS,
      id,
    );
    return Number(result);
  }
}

/** Similar questions share an id: the same index terms, in any order; undefined without any. */
export function gapId(question: string): string | undefined {
  const terms = [...new Set(indexTerms(question))].sort();
  if (terms.length === 0) return undefined;
  return createHash('sha256').update(terms.join(' ')).digest('hex').slice(0, 16);
}
