import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { TurnAudit } from './turn-audit.service';

/** The per-turn audit record (written once per turn, read by the api's operator views). */
@Module({ imports: [StateModule], providers: [TurnAudit], exports: [TurnAudit] })
export class AuditModule {}
