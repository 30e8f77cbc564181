import { Module } from '@nestjs/common';
import { CompaniesModule } from '../companies/companies.module';
import { WorkerConfig } from '../config/worker-config';
import { ContactsModule } from '../contacts/contacts.module';
import { IdentityModule } from '../identity/identity.module';
import { ThreadsModule } from '../threads/threads.module';
import { CONTACT_TOOLS_OPTIONS } from './contact-tool-settings';
import { TOOL_PROVIDERS, ToolRegistry } from './tool-registry.service';

/** Every tool the model may call, and the registry that validates and runs them. */
@Module({
  imports: [CompaniesModule, ContactsModule, IdentityModule, ThreadsModule],
  providers: [
    ...TOOL_PROVIDERS,
    ToolRegistry,
    { provide: CONTACT_TOOLS_OPTIONS, inject: [WorkerConfig], useFactory: (c: WorkerConfig) => c.contacts },
  ],
  exports: [ToolRegistry],
})
export class ToolsModule {}
