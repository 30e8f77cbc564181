import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { KNOWLEDGE_GAP_FIELDS, knowledgeGapFrom, type KnowledgeGap } from '@app/audit';
import { REDIS_CONNECTION, RedisKeys } from '@app/redis';

/** Reads the knowledge gaps the worker records (KnowledgeGapsStore), most recently asked first. */
@Injectable()
export class KnowledgeGapsReader {
  constructor(@Inject(REDIS_CONNECTION) private readonly redis: Redis) {}

  async latest(limit: number): Promise<{ total: number; gaps: KnowledgeGap[] }> {
    const [ids, total] = await Promise.all([
      this.redis.zrevrange(RedisKeys.knowledgeGapIndex(), 0, limit - 1),
      this.redis.zcard(RedisKeys.knowledgeGapIndex()),
    ]);
    if (ids.length === 0) return { total, gaps: [] };
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(RedisKeys.knowledgeGap(id), ...KNOWLEDGE_GAP_FIELDS);
    const rows = (await pipeline.exec()) ?? [];
    const gaps = rows.flatMap(([err, values], i) => {
      const gap = err ? undefined : knowledgeGapFrom(ids[i], values as (string | null)[]);
      return gap ? [gap] : [];
    });
    return { total, gaps };
  }
}
