export * from './data-source.factory';
export * from './run-ledger';
export * from './run-queries';
export * from './outbox-relay';
export * from './persistence/shared.entities';
import { CreateSharedTables1764144000000 } from './persistence/migrations/1764144000000-create-shared-tables';

/** Migrations of the shared tables; every deployment runs them before any service's own. */
export const sharedMigrations = [CreateSharedTables1764144000000];
