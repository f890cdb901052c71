import { CreateReconciliationSchema1764403200000 } from './persistence/migrations/1764403200000-create-reconciliation-schema';
import { MismatchEntity } from './persistence/mismatch.entity';

export * from './reconciliation.module';
export * from './reconciliation.exception';
export * from './sweep/sweep-sources.use-case';
export * from './mismatches/mismatch.repository';
export * from './mismatches/resolve-mismatch.use-case';

/** Migrations of the reconciliation schema, run by every process that hosts the reconciliation service. */
export const reconciliationMigrations = [CreateReconciliationSchema1764403200000];

/** One entity per table of the reconciliation schema; register them with the DataSource that hosts the service. */
export const reconciliationEntities = [MismatchEntity];
