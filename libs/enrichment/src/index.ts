export * from './enrichment.module';
export * from './enrich-run/enrich-run.use-case';

/** Enrichment keeps no tables of its own yet: its record is the shared run transitions. */
export const enrichmentMigrations = [];
