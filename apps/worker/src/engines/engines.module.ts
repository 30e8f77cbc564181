import { Module } from '@nestjs/common';
import { MappingModule } from '../mapping/mapping.module';
import { StateModule } from '../state/state.module';
import { ToolsModule } from '../tools/tools.module';
import { ASSISTANT_ENGINE } from './assistant-engine';
import { ConversationRecovery } from './responses/conversation-recovery';
import { OpenAIApiClient } from './responses/openai-api.client';
import { ResponsesEngine } from './responses/responses.engine';
import { SpendGuard } from './spend-guard.service';
import { ToolRound } from './tool-round.service';

/** The model behind the assistant (ASSISTANT_ENGINE), with the engine-neutral tool round and spend guard. */
@Module({
  imports: [MappingModule, StateModule, ToolsModule],
  providers: [
    OpenAIApiClient,
    ToolRound,
    SpendGuard,
    ConversationRecovery,
    ResponsesEngine,
    { provide: ASSISTANT_ENGINE, useExisting: ResponsesEngine },
  ],
  exports: [ASSISTANT_ENGINE],
})
export class EnginesModule {}
