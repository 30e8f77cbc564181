import { Module } from '@nestjs/common';
import { RateBudget } from '../budgets/rate-budget.service';
import { CostLedger } from '../costs/cost-ledger.service';
import { OutcomeSignalsStore } from '../outcomes/outcome-signals.store';
import { ThreadStateStore } from '../threads/thread-state.store';
import { CrmWritesStore } from './crm-writes.store';
import { ThreadTurnLock } from './thread-turn-lock.service';
import { TurnProgressStore } from './turn-progress.store';

/** Redis-backed state every layer may use: budgets, spend, turn progress, thread state, the thread's line. */
@Module({
  providers: [
    RateBudget,
    CostLedger,
    TurnProgressStore,
    ThreadStateStore,
    ThreadTurnLock,
    CrmWritesStore,
    OutcomeSignalsStore,
  ],
  exports: [
    RateBudget,
    CostLedger,
    TurnProgressStore,
    ThreadStateStore,
    ThreadTurnLock,
    CrmWritesStore,
    OutcomeSignalsStore,
  ],
})
export class StateModule {}
