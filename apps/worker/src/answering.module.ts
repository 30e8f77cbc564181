import { Module } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS_CONNECTION } from '@app/redis';
import { ASSISTANT_ENGINE } from './engines/assistant-engine';
import { ConversationRecovery } from './engines/responses/conversation-recovery';
import { ResponsesEngine } from './engines/responses/responses.engine';
import { SpendGuard } from './engines/spend-guard.service';
import { ToolRound } from './engines/tool-round.service';
import { CONTACT_TOOLS_OPTIONS } from './tools/contact-tool-settings';
import { TOOL_PROVIDERS, ToolRegistry } from './tools/tool-registry.service';
import { AnafClient } from './companies/anaf.client';
import { CompanyLookupService } from './companies/company-lookup.service';
import { ListaFirmeClient } from './companies/listafirme.client';
import { WorkerConfig } from './config/worker-config';
import { HubSpotApiClient } from './hubspot/hubspot-api.client';
import { HubSpotConversations } from './hubspot/hubspot-conversations.service';
import { HubSpotReply } from './hubspot/hubspot-reply.service';
import { AirtableMappingStore } from './mapping/airtable-mapping.store';
import { RateBudget } from './budgets/rate-budget.service';
import { MAPPING_STORE } from './mapping/mapping-store';
import { WorkerMetrics } from './metrics/worker-metrics.service';
import { RedisMappingStore } from './mapping/redis-mapping.store';
import { ThreadMapping } from './mapping/thread-mapping.service';
import { OpenAIApiClient } from './engines/responses/openai-api.client';
import { MessageTurnService } from './turns/message-turn.service';
import { AssistantStep } from './turns/steps/assistant.step';
import { DirectAnswerStep } from './turns/steps/direct-answer.step';
import { FallbackStep } from './turns/steps/fallback.step';
import { ReplyStep } from './turns/steps/reply.step';
import { TurnRecorder } from './turns/turn-recorder';
import { CHAT_CHANNEL } from './channel/chat-channel';
import { HubSpotChannel } from './channel/hubspot.channel';
import { ThreadTurnLock } from './turns/thread-turn-lock.service';
import { TurnProgressStore } from './state/turn-progress.store';
import { ThreadStateStore } from './threads/thread-state.store';
import { ProfileRegistry } from './profiles/profile-registry.service';
import { ThreadContext } from './threads/thread-context.service';
import { HandoffService } from './threads/handoff.service';
import { HubSpotContacts } from './contacts/hubspot-contacts.service';
import { WelcomeService } from './threads/welcome.service';
import { TurnAudit } from './audit/turn-audit.service';
import { CostLedger } from './costs/cost-ledger.service';
import { IdentityGate } from './identity/identity-gate.service';
import { VerificationCodes } from './identity/verification-codes.service';
import { VerificationMailer } from './identity/verification-mailer.service';
import { VisitorIdentity } from './identity/visitor-identity.service';
import { VisitorLimits } from './identity/visitor-limits.service';

/** Everything that answers a chat message: provider wrappers, tools, mapping, turns, the consumer. */
@Module({
  providers: [
    RateBudget,
    CostLedger,
    TurnAudit,
    HubSpotApiClient,
    HubSpotConversations,
    HubSpotReply,
    OpenAIApiClient,
    ListaFirmeClient,
    AnafClient,
    CompanyLookupService,
    ...TOOL_PROVIDERS,
    ToolRegistry,
    ToolRound,
    SpendGuard,
    ConversationRecovery,
    ResponsesEngine,
    { provide: ASSISTANT_ENGINE, useExisting: ResponsesEngine },
    {
      provide: MAPPING_STORE,
      inject: [REDIS_CONNECTION, WorkerConfig, RateBudget, WorkerMetrics],
      useFactory: (redis: Redis, config: WorkerConfig, budget: RateBudget, metrics: WorkerMetrics) =>
        config.airtable ? new AirtableMappingStore(config.airtable, budget, metrics) : new RedisMappingStore(redis),
    },
    ThreadMapping,
    TurnProgressStore,
    ThreadStateStore,
    ProfileRegistry,
    ThreadContext,
    HandoffService,
    HubSpotContacts,
    { provide: CONTACT_TOOLS_OPTIONS, inject: [WorkerConfig], useFactory: (c: WorkerConfig) => c.contacts },
    WelcomeService,
    VerificationMailer,
    VerificationCodes,
    VisitorIdentity,
    VisitorLimits,
    IdentityGate,
    ThreadTurnLock,
    HubSpotChannel,
    { provide: CHAT_CHANNEL, useExisting: HubSpotChannel },
    DirectAnswerStep,
    AssistantStep,
    ReplyStep,
    FallbackStep,
    TurnRecorder,
    MessageTurnService,
  ],
  exports: [MessageTurnService, WelcomeService, HandoffService],
})
export class AnsweringModule {}
