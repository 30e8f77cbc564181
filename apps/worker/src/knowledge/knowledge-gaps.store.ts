import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { redactText, scrubPersonalData } from '@app/logging';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';
import { KnowledgeConfig } from '../config/config-sections';
import { indexTerms } from './knowledge-text';
import { knowledgeGapRecord } from './lua/knowledge-gap-record.lua';

/** Most groups of similar questions kept (the oldest go first). */
const MAX_GAPS = 5000;
const MAX_QUESTION_CHARS = 500;
/** Recent groups a new question is compared with. */
const COMPARED_GROUPS = 200;
/** Shared words / all words of two questions (Jaccard) from which they count as one question. */
const SIMILAR = 0.6;

export interface GapOccurrence {
  portalId: string;
  threadId: string;
  messageId: string;
  question: string;
  language?: string;
  profile: string;
}

/**
 * Records questions the knowledge search found nothing for (GET /admin/knowledge/gaps reads them):
 * personal data masked, and a question joins the recent group whose words it mostly shares
 * ("Can I pay with bitcoin?" and "paying with Bitcoin, possible?"), or starts a group.
 */
@Injectable()
export class KnowledgeGapsStore {
  constructor(
    @Inject(REDIS_CONNECTION) private readonly redis: Redis,
    private readonly config: KnowledgeConfig,
  ) {}

  /** The group's count after this message, or 0 when it was counted before (a retry) or has no words. */
  async record(gap: GapOccurrence): Promise<number> {
    // Masked whole ([email], [phone]): an operator reads the question, never whose it was.
    const question = redactText(scrubPersonalData(gap.question)).slice(0, MAX_QUESTION_CHARS);
    const terms = [...new Set(indexTerms(question.replace(/\[(email|phone|name)\]/g, ' ')))].sort();
    if (terms.length === 0) return 0;
    const id =
      (await this.similarGroup(terms)) ?? createHash('sha256').update(terms.join(' ')).digest('hex').slice(0, 16);
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
      terms.join(' '),
    );
    return Number(result);
  }

  /** The most similar recent group, if one is similar enough. */
  private async similarGroup(terms: string[]): Promise<string | undefined> {
    const ids = await this.redis.zrevrange(RedisKeys.knowledgeGapIndex(), 0, COMPARED_GROUPS - 1);
    if (ids.length === 0) return undefined;
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(RedisKeys.knowledgeGap(id), 'terms');
    const rows = (await pipeline.exec()) ?? [];
    let best: { id: string; score: number } | undefined;
    for (const [i, [err, value]] of rows.entries()) {
      if (err || typeof value !== 'string') continue;
      const score = jaccard(terms, value.split(' '));
      if (score >= SIMILAR && (!best || score > best.score)) best = { id: ids[i], score };
    }
    return best?.id;
  }
}

function jaccard(a: string[], b: string[]): number {
  const setB = new Set(b);
  const shared = a.filter((t) => setB.has(t)).length;
  return shared / (a.length + b.length - shared);
}
