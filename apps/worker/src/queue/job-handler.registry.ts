import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { JobName } from '@app/contracts';
import { HANDLES_JOB, type JobHandler } from './job-handler';

/** Every `@HandlesJob` provider by job name; the app does not start if a contract job has none. */
@Injectable()
export class JobHandlerRegistry implements OnModuleInit {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const type = wrapper.metatype;
      const name = type && typeof type === 'function' ? this.reflector.get<string>(HANDLES_JOB, type) : undefined;
      if (!name || !wrapper.instance) continue;
      if (this.handlers.has(name)) throw new Error(`two handlers for job ${name}`);
      this.handlers.set(name, wrapper.instance as JobHandler);
    }
    const missing = Object.values(JobName).filter((name) => !this.handlers.has(name));
    if (missing.length > 0) throw new Error(`no handler for job(s) ${missing.join(', ')} (libs/contracts JobName)`);
  }

  get(name: string): JobHandler | undefined {
    return this.handlers.get(name);
  }
}
