import { Module } from '@nestjs/common';
import { ContactsModule } from '../contacts/contacts.module';
import { StateModule } from '../state/state.module';
import { ThreadsModule } from '../threads/threads.module';
import { IdentityGate } from './identity-gate.service';
import { VerificationCodes } from './verification-codes.service';
import { VerificationMailer } from './verification-mailer.service';
import { VisitorIdentity } from './visitor-identity.service';
import { VisitorLimits } from './visitor-limits.service';

/** Who the visitor proved to be: one-time codes by e-mail, the staff gate, per-visitor limits. */
@Module({
  imports: [ContactsModule, StateModule, ThreadsModule],
  providers: [VerificationMailer, VerificationCodes, VisitorIdentity, VisitorLimits, IdentityGate],
  exports: [VerificationCodes, VisitorIdentity, IdentityGate],
})
export class IdentityModule {}
