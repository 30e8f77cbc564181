import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { HUBSPOT_EVENTS_QUEUE } from '@app/contracts';
import { IngestModule } from '../ingest/ingest.module';

export const ADMIN_PREFIX = '/admin';
export const BULL_BOARD_ROUTE = `${ADMIN_PREFIX}/queues`;

/** Bull Board; authentication is the basic-auth hook on every `/admin` route (see createApiApp). */
@Module({
  imports: [
    IngestModule,
    BullBoardModule.forRoot({ route: BULL_BOARD_ROUTE, adapter: FastifyAdapter }),
    BullBoardModule.forFeature({ name: HUBSPOT_EVENTS_QUEUE, adapter: BullMQAdapter }),
  ],
})
export class AdminModule {}
