import { EnrichmentModule, enrichmentMigrations } from '@baton/enrichment';
import { serviceRuntimeOptions } from '@baton/platform-bootstrap';
import { BatonRuntimeModule } from '@baton/platform-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { EnrichmentEnv } from './config/enrichment.env';

/** The enrichment service alone in its process, on the adapters its environment names. */
@Module({})
export class EnrichmentAppModule {
  static forRoot(env: EnrichmentEnv): DynamicModule {
    return {
      module: EnrichmentAppModule,
      imports: [BatonRuntimeModule.forRoot(serviceRuntimeOptions('enrichment', enrichmentMigrations, env)), EnrichmentModule],
    };
  }
}
