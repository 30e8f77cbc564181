import { Logger, Module } from '@nestjs/common';
import { EngineConfig } from '../config/config-sections';
import { MappingModule } from '../mapping/mapping.module';
import { StateModule } from '../state/state.module';
import { ToolsModule } from '../tools/tools.module';
import { ASSISTANT_ENGINE } from './assistant-engine';
import { ChatCompletionsEngine } from './chat-completions/chat-completions.engine';
import { TokenCounter } from './chat-completions/token-counter';
import { TranscriptStore } from './chat-completions/transcript.store';
import { ConversationRecovery } from './responses/conversation-recovery';
import { OpenAIApiClient } from './responses/openai-api.client';
import { ResponsesEngine } from './responses/responses.engine';
import { SpendGuard } from './spend-guard.service';
import { ToolRound } from './tool-round.service';

/** The model behind the assistant (ASSISTANT_ENGINE, chosen by config), with the engine-neutral tool round and spend guard. */
@Module({
  imports: [MappingModule, StateModule, ToolsModule],
  providers: [
    OpenAIApiClient,
    ToolRound,
    SpendGuard,
    ConversationRecovery,
    ResponsesEngine,
    TranscriptStore,
    TokenCounter,
    ChatCompletionsEngine,
    {
      provide: ASSISTANT_ENGINE,
      inject: [EngineConfig, ResponsesEngine, ChatCompletionsEngine],
      useFactory: (engine: EngineConfig, responses: ResponsesEngine, chat: ChatCompletionsEngine) => {
        const { kind, serverKind } = engine;
        new Logger('EnginesModule').log(`assistant engine: ${kind} (server kind ${serverKind})`);
        return kind === 'chat-completions' ? chat : responses;
      },
    },
  ],
  exports: [ASSISTANT_ENGINE],
})
export class EnginesModule {}
