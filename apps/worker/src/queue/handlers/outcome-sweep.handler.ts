import { Injectable } from '@nestjs/common';
import { JobName } from '@app/contracts';
import { OutcomeSweep } from '../../outcomes/outcome-sweep.service';
import { HandlesJob, type JobHandler } from '../job-handler';

/** outcomes.sweep (repeatable): conversations whose resolution window passed get their outcome. */
@Injectable()
@HandlesJob(JobName.OutcomeSweep)
export class OutcomeSweepHandler implements JobHandler<typeof JobName.OutcomeSweep> {
  constructor(private readonly outcomes: OutcomeSweep) {}

  handle(): Promise<unknown> {
    return this.outcomes.sweep();
  }
}
