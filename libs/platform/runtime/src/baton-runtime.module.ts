import { ConnectorRegistry } from '@baton/connectors';
import {
  AuditSealer,
  busLogMessageOf,
  EmbeddedVacuum,
  openDataSource,
  OutboxRelay,
  RunLedger,
  RunQueries,
  sharedEntities,
  sharedMigrations,
} from '@baton/platform-database';
import { InMemoryBus, MessageBus } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EdgeAuthModule, PrincipalController } from '@baton/platform-edge';
import { ConsumersController } from './consumers.controller';
import { HealthController } from './health.controller';
import { RuntimeLifecycle } from './runtime.lifecycle';
import { RUNTIME_OPTIONS, type RuntimeOptions } from './runtime.options';
import { WorkflowCatalog } from './workflow-catalog';

/**
 * The process-wide providers every service module relies on: database, bus, run ledger, outbox
 * relay, workflow catalog, connectors and metrics, and the API keys with the guard every route
 * passes. A service app and the standalone app import it once with their adapters; the service
 * modules themselves never choose an adapter.
 */
@Global()
@Module({})
export class BatonRuntimeModule {
  static forRoot(options: RuntimeOptions): DynamicModule {
    return {
      module: BatonRuntimeModule,
      imports: [EdgeAuthModule.forRoot({ apiKeysFile: options.apiKeysFile, apiKeys: options.apiKeys })],
      controllers: [HealthController, ConsumersController, PrincipalController],
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
        { provide: MessageBus, useFactory: (dataSource: DataSource) => options.bus({ dataSource }), inject: [DataSource] },
        { provide: BatonMetrics, useFactory: () => new BatonMetrics(options.service) },
        {
          provide: RunLedger,
          useFactory: (ds: DataSource) =>
            new RunLedger(ds, options.service, {
              // The embedded database runs one group's transaction at a time, in send order, while
              // this thread runs the stages of the next groups: three groups in flight, of a size
              // (the runs at hand shared evenly, at most 64 each), keep both busier than two.
              maxConcurrentGroups: options.database.kind === 'postgres' ? 2 : 3,
              evenGroups: options.database.kind !== 'postgres',
              maxBatch: options.database.kind === 'postgres' ? 512 : 64,
              // On the embedded database a run's start hands its event over too (docs/design-notes.md, "Hand-over").
              handOverStarts: options.database.kind !== 'postgres',
              ...options.ledger,
            }),
          inject: [DataSource],
        },
        { provide: RunQueries, useFactory: (ds: DataSource) => new RunQueries(ds), inject: [DataSource] },
        {
          provide: OutboxRelay,
          useFactory: (ds: DataSource, bus: MessageBus, ledger: RunLedger) => {
            const busLog = bus instanceof InMemoryBus && bus.durable;
            const relay = new OutboxRelay(ds, bus, { ...options.relay, busLog });
            if (busLog) {
              // The outbox is the bus's log: committed events are queued from it directly.
              ledger.onCommitted((events) => bus.acceptCommitted(events.map(busLogMessageOf)));
              // An event no consumer group reads (e.g. run.completed of a run that completed, which
              // only the blocked-run alerts read, and only for blocked runs) is not written at all.
              ledger.storesOnlyWhatIsRead((event) => bus.reads(event));
              // And a stage's event goes straight to the next stage's consumer when it can, committed with its producer.
              if (options.handOver !== false) ledger.handOverTo((event) => bus.handOff(event));
            } else {
              ledger.onCommitted((events) => relay.publishCommitted(events));
            }
            return relay;
          },
          inject: [DataSource, MessageBus, RunLedger],
        },
        {
          provide: AuditSealer,
          useFactory: (ds: DataSource, ledger: RunLedger) => {
            // On PostgreSQL every service's process shares the chain: one of them seals for all.
            const sealer = new AuditSealer(ds, { leader: options.database.kind === 'postgres' });
            // The embedded database's entries are sealed as they are appended: nothing waits for a pass.
            if (options.database.kind === 'postgres') ledger.onCommitted(() => sealer.kick());
            return sealer;
          },
          inject: [DataSource, RunLedger],
        },
        { provide: EmbeddedVacuum, useFactory: (ds: DataSource) => new EmbeddedVacuum(ds, options.vacuum), inject: [DataSource] },
        { provide: WorkflowCatalog, useFactory: () => new WorkflowCatalog(options.workflowsDir) },
        { provide: ConnectorRegistry, useFactory: () => options.connectors() },
        RuntimeLifecycle,
      ],
      exports: [
        RUNTIME_OPTIONS,
        DataSource,
        MessageBus,
        BatonMetrics,
        RunLedger,
        RunQueries,
        OutboxRelay,
        AuditSealer,
        WorkflowCatalog,
        ConnectorRegistry,
      ],
    };
  }
}
