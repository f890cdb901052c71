import type { ConnectorRegistry } from '@baton/connectors';
import type { DatabaseOptions, VacuumTier, OutboxRelayOptions, RunLedgerOptions } from '@baton/platform-database';
import type { MessageBus } from '@baton/platform-messaging';
import type { ApiKeyRegistry } from '@baton/platform-edge';
import type { DataSource } from 'typeorm';

export const RUNTIME_OPTIONS = Symbol('RUNTIME_OPTIONS');

/** What one Baton process is made of; the apps fill it from their validated environment. */
export interface RuntimeOptions {
  /** The Nx project name of the process: service.name in traces, label in metrics. */
  service: string;
  database: DatabaseOptions;
  /** Migrations of every service hosted by this process; the shared tables' come first. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities?: Function[];
  /**
   * The bus adapter. An in-memory bus given a store of the database keeps every message there
   * until all consumer groups have finished it (the embedded default); then the outbox is the
   * bus's log and no relay runs.
   */
  bus: (deps: { dataSource: DataSource }) => MessageBus | Promise<MessageBus>;
  relay?: OutboxRelayOptions;
  ledger?: RunLedgerOptions;
  /** On the embedded database: which tables are vacuumed, how often (default VACUUM_TIERS). */
  vacuum?: readonly VacuumTier[];
  /**
   * With the embedded bus: whether a group hands the events it produces straight to the next
   * stage's consumer here, committing that stage's work in the same transaction (default true).
   */
  handOver?: boolean;
  workflowsDir: string;
  connectors: () => ConnectorRegistry | Promise<ConnectorRegistry>;
  /** How long a run may stay in a stage's state before it counts as stuck, unless its workflow says (default 5m). */
  stuckAfter?: string;
  /** Whether schedule triggers scan on their own timers (default true); tests drive scans directly. */
  schedules?: boolean;
  /** YAML file of API keys and the principals they stand for; without it protected endpoints refuse all calls. */
  apiKeysFile?: string;
  /** Or the registry itself (tests, embedding). */
  apiKeys?: ApiKeyRegistry;
  /** Labelled datasets the server may train classifiers from, by name (never a path from a request). */
  datasets?: Record<string, string>;
  /** An OpenAI-compatible model endpoint, for workflows whose classifier says `provider: external`. */
  externalModel?: { url: string; model: string; apiKey?: string; timeoutMs?: number };
}
