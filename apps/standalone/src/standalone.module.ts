import { ActionModule, actionEntities, actionMigrations } from '@baton/action';
import {
  SampleJournalRepository,
  SampleSystemsHttpModule,
  sampleSystemsEntities,
  sampleSystemsMigrations,
  type SampleSystems,
} from '@baton/connectors';
import { DecisioningModule, decisioningEntities, decisioningMigrations } from '@baton/decisioning';
import { EnrichmentModule, enrichmentMigrations } from '@baton/enrichment';
import { IngestionModule, ingestionEntities, ingestionMigrations, type IdempotencyOptions, type WebhookOptions } from '@baton/ingestion';
import { OutboxLogStore, type DatabaseOptions } from '@baton/platform-database';
import { InMemoryBus, type RetryPolicy } from '@baton/platform-messaging';
import { AuditModule } from '@baton/platform-audit';
import { BatonRuntimeModule, type ApiKeyRegistry } from '@baton/platform-runtime';
import { ReconciliationModule, reconciliationEntities, reconciliationMigrations } from '@baton/reconciliation';
import { VerificationModule, verificationEntities, verificationMigrations } from '@baton/verification';
import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface StandaloneOptions {
  database: DatabaseOptions;
  workflowsDir: string;
  systems: SampleSystems;
  partitions?: number;
  /** Messages of one partition a consumer takes at once (default 256). */
  batchSize?: number;
  retry?: Partial<RetryPolicy>;
  /** Run schedule triggers and review timers on their own (default true). */
  schedules?: boolean;
  apiKeysFile?: string;
  /** How long a run may stay in a stage's state before the watchdog reports it stuck (default 5m). */
  stuckAfter?: string;
  /** Or the registry itself (tests). */
  apiKeys?: ApiKeyRegistry;
  /** Labelled datasets classifiers may be trained from, by name. */
  datasets?: Record<string, string>;
  webhooks?: WebhookOptions;
  idempotency?: IdempotencyOptions;
  externalModel?: { url: string; model: string; apiKey?: string };
}

/** All six services in one process over the in-memory bus: the embedded default. */
@Module({})
export class StandaloneModule {
  static forRoot(options: StandaloneOptions): DynamicModule {
    return {
      module: StandaloneModule,
      providers: [
        {
          // The sample systems keep their writes in the embedded database, so a restart loses none.
          provide: SampleJournalRepository,
          useFactory: async (dataSource: DataSource) => {
            const journal = new SampleJournalRepository(dataSource);
            options.systems.attachJournal(journal, await journal.load());
            return journal;
          },
          inject: [DataSource],
        },
      ],
      imports: [
        BatonRuntimeModule.forRoot({
          service: 'standalone',
          database: options.database,
          migrations: [
            ...ingestionMigrations,
            ...enrichmentMigrations,
            ...decisioningMigrations,
            ...actionMigrations,
            ...verificationMigrations,
            ...reconciliationMigrations,
            ...sampleSystemsMigrations,
          ],
          entities: [
            ...ingestionEntities,
            ...decisioningEntities,
            ...actionEntities,
            ...verificationEntities,
            ...reconciliationEntities,
            ...sampleSystemsEntities,
          ],
          // The embedded database is the bus's log: nothing published is lost when the process dies.
          bus: ({ dataSource }) =>
            new InMemoryBus({
              partitions: options.partitions ?? 4,
              retry: options.retry,
              batchSize: options.batchSize,
              store: new OutboxLogStore(dataSource),
            }),
          workflowsDir: options.workflowsDir,
          connectors: () => options.systems.registry,
          schedules: options.schedules,
          apiKeysFile: options.apiKeysFile,
          stuckAfter: options.stuckAfter,
          apiKeys: options.apiKeys,
          datasets: options.datasets,
          externalModel: options.externalModel,
        }),
        IngestionModule.forRoot({ webhooks: options.webhooks, changeFeed: options.systems, idempotency: options.idempotency }),
        EnrichmentModule,
        DecisioningModule,
        ActionModule,
        VerificationModule,
        ReconciliationModule,
        SampleSystemsHttpModule.forRoot(options.systems),
        AuditModule,
      ],
    };
  }
}
