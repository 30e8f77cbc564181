import { Injectable, Logger } from '@nestjs/common';
import type { Language } from '../../identity/identity-texts';
import { citedSources, sourcesBlock } from '../../knowledge/citations';
import { KnowledgeGapsStore } from '../../knowledge/knowledge-gaps.store';
import type { KnowledgePassage } from '../../knowledge/knowledge-store';
import { KnowledgeMetrics } from '../../metrics/knowledge-metrics.service';
import type { TurnProgress } from '../../state/turn-progress.store';
import type { ReadyTurn } from '../turn-context';

// Kept per turn for citations: enough of each passage to tell whether the answer used it.
const KEPT_PASSAGE_CHARS = 1500;

/**
 * What the knowledge search of a turn means for its reply: an answer that used passages ends
 * with their sources; a question the documents had nothing for, answered with "I don't know" or
 * a handoff, is recorded as a knowledge gap (once per message).
 */
@Injectable()
export class KnowledgeAnswerStep {
  private readonly logger = new Logger(KnowledgeAnswerStep.name);

  constructor(
    private readonly gaps: KnowledgeGapsStore,
    private readonly metrics: KnowledgeMetrics,
  ) {}

  /** The ToolContext hook: search_knowledge reports what it returned (saved with the call's output). */
  recorder(progress: TurnProgress): (passages: KnowledgePassage[]) => void {
    return (passages) => {
      const k = (progress.knowledge ??= { searches: 0, found: [] });
      k.searches += 1;
      for (const p of passages) {
        k.found.push({ source: p.source, title: p.title, url: p.url, text: p.text.slice(0, KEPT_PASSAGE_CHARS) });
      }
    };
  }

  async finish(turn: ReadyTurn, language: Language): Promise<void> {
    const { progress, message, thread, ref, job } = turn;
    const knowledge = progress.knowledge;
    if (!knowledge || knowledge.searches === 0 || progress.fallbackReason || progress.capReason) return;
    if (knowledge.found.length === 0) {
      // The search found nothing; the tool told the model to say so or hand off, and it did one or the other.
      const count = await this.gaps.record({
        portalId: ref.portalId,
        threadId: ref.threadId,
        messageId: job.messageId,
        question: message.text,
        language,
        profile: thread.profile.name,
      });
      if (count > 0) {
        this.metrics.countGap(thread.profile.name);
        this.logger.log({ threadId: ref.threadId, similar: count }, 'knowledge gap recorded');
      }
      return;
    }
    if (progress.handoffReason || progress.screenedReason || progress.answer === undefined) return;
    const sources = citedSources(progress.answer, knowledge.found);
    if (sources.length === 0) return;
    progress.answer = `${progress.answer.trimEnd()}\n\n${sourcesBlock(sources, language)}`;
    this.metrics.countCitedAnswer(thread.profile.name);
  }
}
