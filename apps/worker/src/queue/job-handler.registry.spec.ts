import { Injectable } from '@nestjs/common';
import { Reflector, type DiscoveryService } from '@nestjs/core';
import { JobName } from '@app/contracts';
import { HandlesJob, type JobHandler } from './job-handler';
import { JobHandlerRegistry } from './job-handler.registry';

@Injectable()
@HandlesJob(JobName.MessageReceived)
class MessageHandler implements JobHandler {
  handle = () => Promise.resolve('message');
}

@Injectable()
@HandlesJob(JobName.ThreadOpened)
class OpenedHandler implements JobHandler {
  handle = () => Promise.resolve('opened');
}

@Injectable()
@HandlesJob(JobName.ThreadChanged)
class ChangedHandler implements JobHandler {
  handle = () => Promise.resolve('changed');
}

@Injectable()
@HandlesJob(JobName.OutcomeSweep)
class SweepHandler implements JobHandler {
  handle = () => Promise.resolve('swept');
}

@Injectable()
class NotAHandler {}

/** A DiscoveryService that knows exactly these provider classes. */
function registryOf(...types: (new () => object)[]): JobHandlerRegistry {
  const discovery = { getProviders: () => types.map((t) => ({ metatype: t, instance: new t() })) };
  return new JobHandlerRegistry(discovery as unknown as DiscoveryService, new Reflector());
}

describe('JobHandlerRegistry', () => {
  it('maps every contract job name to its one @HandlesJob provider', async () => {
    const registry = registryOf(MessageHandler, OpenedHandler, ChangedHandler, SweepHandler, NotAHandler);
    registry.onModuleInit();
    expect(await registry.get(JobName.ThreadOpened)!.handle({} as never, {} as never)).toBe('opened');
    expect(registry.get('unknown.job')).toBeUndefined();
  });

  it('refuses to start when a job name of libs/contracts has no handler', () => {
    expect(() => registryOf(MessageHandler, OpenedHandler, SweepHandler).onModuleInit()).toThrow(
      'no handler for job(s) thread.changed (libs/contracts JobName)',
    );
  });

  it('refuses two handlers for one job name', () => {
    @Injectable()
    @HandlesJob(JobName.ThreadOpened)
    class SecondOpened implements JobHandler {
      handle = () => Promise.resolve('again');
    }
    expect(() => registryOf(MessageHandler, OpenedHandler, SecondOpened, ChangedHandler).onModuleInit()).toThrow(
      'two handlers for job thread.opened',
    );
  });
});
