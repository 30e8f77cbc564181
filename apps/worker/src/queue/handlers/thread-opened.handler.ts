import { Injectable } from '@nestjs/common';
import { JobName, type ThreadOpenedJob } from '@app/contracts';
import { WelcomeService } from '../../threads/welcome.service';
import { HandlesJob, type JobHandler } from '../job-handler';

/** thread.opened: a chat opened → the profile's welcome, once per thread. */
@Injectable()
@HandlesJob(JobName.ThreadOpened)
export class ThreadOpenedHandler implements JobHandler<typeof JobName.ThreadOpened> {
  constructor(private readonly welcome: WelcomeService) {}

  handle(data: ThreadOpenedJob): Promise<unknown> {
    return this.welcome.welcome(data);
  }
}
