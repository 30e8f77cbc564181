import { Module } from '@nestjs/common';
import { HubSpotModule } from '../hubspot/hubspot.module';
import { ProfileRegistry } from '../profiles/profile-registry.service';
import { StateModule } from '../state/state.module';
import { HandoffService } from './handoff.service';
import { ThreadContext } from './thread-context.service';
import { VisitorLanguage } from './visitor-language';
import { WelcomeService } from './welcome.service';

/** What a thread is: its profile, identity, language and handoff state, and its welcome. */
@Module({
  imports: [HubSpotModule, StateModule],
  providers: [ProfileRegistry, ThreadContext, HandoffService, WelcomeService, VisitorLanguage],
  exports: [ProfileRegistry, ThreadContext, HandoffService, WelcomeService, VisitorLanguage],
})
export class ThreadsModule {}
