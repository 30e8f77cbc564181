import { Module, type DynamicModule, type ModuleMetadata, type Type } from '@nestjs/common';
import { HealthController } from './health.controller';
import { READINESS_CHECKS, type ReadinessCheck } from './readiness-check';

/** `GET /health/live` and `GET /health/ready`; each app names the checks that gate readiness. */
@Module({})
export class HealthModule {
  static forChecks(checks: Type<ReadinessCheck>[], imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: HealthModule,
      imports,
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          useFactory: (...instances: ReadinessCheck[]) => instances,
          inject: checks,
        },
      ],
    };
  }
}
