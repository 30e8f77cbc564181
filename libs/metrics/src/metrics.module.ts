import { Inject, Module, type DynamicModule, type OnModuleDestroy, type Type } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { MetricsController } from './metrics.controller';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics-registry';

export interface MetricsModuleOptions {
  /** The app's metric services (they inject METRICS_REGISTRY and define their metrics on it). */
  providers?: Type[];
}

/**
 * `GET /metrics` plus the app's Registry. Global, so any module can inject the app's metric
 * services to record from where things happen.
 */
@Module({})
export class MetricsModule implements OnModuleDestroy {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  static forRoot(options: MetricsModuleOptions = {}): DynamicModule {
    const providers = options.providers ?? [];
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsController],
      providers: [{ provide: METRICS_REGISTRY, useFactory: createMetricsRegistry }, ...providers],
      exports: [METRICS_REGISTRY, ...providers],
    };
  }

  onModuleDestroy(): void {
    // Drops the metrics' collect callbacks (they may hold connections) with the app.
    this.registry.clear();
  }
}
