import { Module } from '@nestjs/common';
import { CompaniesModule } from '../companies/companies.module';
import { ContactsConfig } from '../config/config-sections';
import { ContactsModule } from '../contacts/contacts.module';
import { StateModule } from '../state/state.module';
import { IdentityModule } from '../identity/identity.module';
import { KnowledgeModule } from '../knowledge/knowledge.module';
import { ThreadsModule } from '../threads/threads.module';
import { CONTACT_TOOLS_OPTIONS } from './contact-tool-settings';
import { TOOL_PROVIDERS, ToolRegistry } from './tool-registry.service';

/** Every tool the model may call, and the registry that validates and runs them. */
@Module({
  imports: [CompaniesModule, ContactsModule, IdentityModule, KnowledgeModule, StateModule, ThreadsModule],
  providers: [...TOOL_PROVIDERS, ToolRegistry, { provide: CONTACT_TOOLS_OPTIONS, useExisting: ContactsConfig }],
  exports: [ToolRegistry],
})
export class ToolsModule {}
