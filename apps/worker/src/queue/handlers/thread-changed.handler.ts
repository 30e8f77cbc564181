import { Injectable } from '@nestjs/common';
import { JobName, type ThreadChangedJob } from '@app/contracts';
import { HandoffService } from '../../threads/handoff.service';
import { HandlesJob, type JobHandler } from '../job-handler';

/** thread.changed: an assignment (a person took over) or a status change (closed: start over). */
@Injectable()
@HandlesJob(JobName.ThreadChanged)
export class ThreadChangedHandler implements JobHandler<typeof JobName.ThreadChanged> {
  constructor(private readonly handoff: HandoffService) {}

  handle(data: ThreadChangedJob): Promise<unknown> {
    return this.handoff.onThreadChanged(data);
  }
}
