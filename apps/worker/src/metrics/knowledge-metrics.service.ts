import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX, METRICS_REGISTRY } from '@app/metrics';

export type KnowledgeSearchResult = 'found' | 'empty' | 'error';

/** Knowledge answers: searches by store and result, their time, and questions recorded as gaps. */
@Injectable()
export class KnowledgeMetrics {
  private readonly searches: Counter<'store' | 'result'>;
  private readonly searchDuration: Histogram<'store'>;
  private readonly gaps: Counter<'profile'>;
  private readonly citedAnswers: Counter<'profile'>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const registers = [registry];
    this.searches = new Counter({
      name: `${METRIC_PREFIX}knowledge_searches_total`,
      help: 'search_knowledge calls by store (local, openai) and result: found (a relevant passage), empty, error',
      labelNames: ['store', 'result'],
      registers,
    });
    this.searchDuration = new Histogram({
      name: `${METRIC_PREFIX}knowledge_search_duration_seconds`,
      help: 'Time one knowledge search took, by store',
      labelNames: ['store'],
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.gaps = new Counter({
      name: `${METRIC_PREFIX}knowledge_gaps_total`,
      help: 'Visitor questions the documents had nothing relevant for (GET /admin/knowledge/gaps), by profile',
      labelNames: ['profile'],
      registers,
    });
    this.citedAnswers = new Counter({
      name: `${METRIC_PREFIX}knowledge_cited_answers_total`,
      help: 'Answers that ended with knowledge sources, by profile',
      labelNames: ['profile'],
      registers,
    });
  }

  observeSearch(store: string, result: KnowledgeSearchResult, seconds: number): void {
    this.searches.inc({ store, result });
    this.searchDuration.observe({ store }, seconds);
  }

  countGap(profile: string): void {
    this.gaps.inc({ profile });
  }

  countCitedAnswer(profile: string): void {
    this.citedAnswers.inc({ profile });
  }
}
