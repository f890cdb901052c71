import { resolve } from 'node:path';
import { IngestionModule, ingestionEntities, ingestionMigrations } from '@baton/ingestion';
import { serviceRuntimeOptions } from '@baton/platform-bootstrap';
import { BatonRuntimeModule } from '@baton/platform-runtime';
import { Module, type DynamicModule } from '@nestjs/common';
import type { IngestionEnv } from './config/ingestion.env';

/** The ingestion service alone in its process, on the adapters its environment names. */
@Module({})
export class IngestionAppModule {
  static forRoot(env: IngestionEnv): DynamicModule {
    return {
      module: IngestionAppModule,
      imports: [
        BatonRuntimeModule.forRoot(serviceRuntimeOptions('ingestion', ingestionMigrations, env, ingestionEntities)),
        IngestionModule.forRoot({
          webhooks: { sourcesFile: env.BATON_WEBHOOK_SOURCES && resolve(env.BATON_WEBHOOK_SOURCES) },
          idempotency: { ttlMs: env.BATON_IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000 },
          // Only with the shared PostgreSQL: a folder of its own holds only the runs' starts.
          admission: { maxInProgress: env.BATON_DATABASE_URL ? env.BATON_MAX_RUNS_IN_PROGRESS : 0 },
        }),
      ],
    };
  }
}
