import { Module } from '@nestjs/common';
import { StateModule } from '../state/state.module';
import { OutcomeSweep } from './outcome-sweep.service';

/** Conversation outcomes: the signals live in StateModule (every layer records them); the sweep decides. */
@Module({ imports: [StateModule], providers: [OutcomeSweep], exports: [OutcomeSweep] })
export class OutcomesModule {}
