export * from './data-source.factory';
export * from './run-ledger';
export * from './run-queries';
export * from './outbox-relay';
export * from './persistence/shared.entities';
export * from './audit-chain.util';
export type { AuditInput } from './audit-append.util';
export * from './audit-chain-verify.util';
export { SERVICE_ROLE } from './persistence/migrations/1764230460000-enforce-append-only-tables';
import { CreateSharedTables1764144000000 } from './persistence/migrations/1764144000000-create-shared-tables';
import { ChainAuditEntries1764230400000 } from './persistence/migrations/1764230400000-chain-audit-entries';
import { EnforceAppendOnlyTables1764230460000 } from './persistence/migrations/1764230460000-enforce-append-only-tables';

/** Migrations of the shared tables; every deployment runs them before any service's own. */
export const sharedMigrations = [CreateSharedTables1764144000000, ChainAuditEntries1764230400000, EnforceAppendOnlyTables1764230460000];
