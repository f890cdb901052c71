import { CreateIngestionSchema1764144100000 } from './persistence/migrations/1764144100000-create-ingestion-schema';

export * from './ingestion.module';
export * from './ingestion.exception';
export * from './start-run/start-run.use-case';
export * from './schedules/scheduled-scan.service';

/** Migrations of the ingestion schema, run by every process that hosts the ingestion service. */
export const ingestionMigrations = [CreateIngestionSchema1764144100000];
