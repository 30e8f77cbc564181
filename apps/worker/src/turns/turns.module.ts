import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ChannelModule } from '../channel/channel.module';
import { EnginesModule } from '../engines/engines.module';
import { IdentityModule } from '../identity/identity.module';
import { KnowledgeModule } from '../knowledge/knowledge.module';
import { StateModule } from '../state/state.module';
import { ThreadsModule } from '../threads/threads.module';
import { MessageTurnService } from './message-turn.service';
import { AnswerStep } from './steps/answer.step';
import { AssistantStep } from './steps/assistant.step';
import { BurstStep } from './steps/burst.step';
import { DirectAnswerStep } from './steps/direct-answer.step';
import { FeedbackOfferStep } from './steps/feedback-offer.step';
import { FallbackStep } from './steps/fallback.step';
import { HandoffFollowUpStep } from './steps/handoff-follow-up.step';
import { KnowledgeAnswerStep } from './steps/knowledge-answer.step';
import { ReplyStep } from './steps/reply.step';
import { ResolveStep } from './steps/resolve.step';
import { TurnRecorder } from './turn-recorder';

/** One visitor message → one answer: the orchestrator and its steps. */
@Module({
  imports: [AuditModule, ChannelModule, EnginesModule, IdentityModule, KnowledgeModule, StateModule, ThreadsModule],
  providers: [
    ResolveStep,
    DirectAnswerStep,
    FeedbackOfferStep,
    AnswerStep,
    AssistantStep,
    BurstStep,
    KnowledgeAnswerStep,
    ReplyStep,
    FallbackStep,
    HandoffFollowUpStep,
    TurnRecorder,
    MessageTurnService,
  ],
  exports: [MessageTurnService],
})
export class TurnsModule {}
