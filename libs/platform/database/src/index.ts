export * from './data-source.factory';
export * from './run-ledger';
export * from './run-queries';
export * from './outbox-relay';
export * from './outbox-log.store';
export * from './audit-seal.util';
export * from './audit-sealer';
export { RunStateCache, RunStateReader } from './run-state.reader';
export * from './persistence/shared.entities';
export * from './audit-chain.util';
export type { AuditInput } from './audit-append.util';
export * from './audit-chain-verify.util';
export * from './query/timestamp.util';
export * from './query/keyset-page.util';
export * from './query/optional-filters.util';
export * from './query/returned-rows.util';
export * from './query/column-transformers.util';
export * from './query/entity-schema-drift.util';
export * from './query/insert-values.util';
export { SERVICE_ROLE } from './persistence/migrations/1764230460000-enforce-append-only-tables';
import { CreateSharedTables1764144000000 } from './persistence/migrations/1764144000000-create-shared-tables';
import { ChainAuditEntries1764230400000 } from './persistence/migrations/1764230400000-chain-audit-entries';
import { EnforceAppendOnlyTables1764230460000 } from './persistence/migrations/1764230460000-enforce-append-only-tables';
import { AddRunHead1765000000000 } from './persistence/migrations/1765000000000-add-run-head';
import { SealAuditEntries1765000100000 } from './persistence/migrations/1765000100000-seal-audit-entries';
import { StoreOutboxBytes1765000200000 } from './persistence/migrations/1765000200000-store-outbox-bytes';

/** Migrations of the shared tables; every deployment runs them before any service's own. */
export const sharedMigrations = [
  CreateSharedTables1764144000000,
  ChainAuditEntries1764230400000,
  EnforceAppendOnlyTables1764230460000,
  AddRunHead1765000000000,
  SealAuditEntries1765000100000,
  StoreOutboxBytes1765000200000,
];
