import { ConnectorRegistry } from '@baton/connectors';
import { openDataSource, OutboxRelay, RunLedger, RunQueries, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { MessageBus } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EdgeAuthModule } from '@baton/platform-edge';
import { HealthController } from './health.controller';
import { RuntimeLifecycle } from './runtime.lifecycle';
import { RUNTIME_OPTIONS, type RuntimeOptions } from './runtime.options';
import { WorkflowCatalog } from './workflow-catalog';

/**
 * The process-wide providers every service module relies on: database, bus, run ledger, outbox
 * relay, workflow catalog, connectors and metrics, and the API keys with the guard every route passes. A service app and the standalone app import
 * it once with their adapters; the service modules themselves never choose an adapter.
 */
@Global()
@Module({})
export class BatonRuntimeModule {
  static forRoot(options: RuntimeOptions): DynamicModule {
    return {
      module: BatonRuntimeModule,
      imports: [EdgeAuthModule.forRoot({ apiKeysFile: options.apiKeysFile, apiKeys: options.apiKeys })],
      controllers: [HealthController],
      providers: [
        { provide: RUNTIME_OPTIONS, useValue: options },
        {
          provide: DataSource,
          useFactory: () =>
            openDataSource({
              database: options.database,
              entities: [...sharedEntities, ...(options.entities ?? [])],
              migrations: [...sharedMigrations, ...options.migrations],
            }),
        },
        { provide: MessageBus, useFactory: () => options.bus() },
        { provide: BatonMetrics, useFactory: () => new BatonMetrics(options.service) },
        { provide: RunLedger, useFactory: (ds: DataSource) => new RunLedger(ds, options.service), inject: [DataSource] },
        { provide: RunQueries, useFactory: (ds: DataSource) => new RunQueries(ds), inject: [DataSource] },
        {
          provide: OutboxRelay,
          useFactory: (ds: DataSource, bus: MessageBus, ledger: RunLedger) => {
            const relay = new OutboxRelay(ds, bus, options.relay);
            ledger.onCommitWithEvents(() => relay.kick());
            return relay;
          },
          inject: [DataSource, MessageBus, RunLedger],
        },
        { provide: WorkflowCatalog, useFactory: () => new WorkflowCatalog(options.workflowsDir) },
        { provide: ConnectorRegistry, useFactory: () => options.connectors() },
        RuntimeLifecycle,
      ],
      exports: [RUNTIME_OPTIONS, DataSource, MessageBus, BatonMetrics, RunLedger, RunQueries, OutboxRelay, WorkflowCatalog, ConnectorRegistry],
    };
  }
}
