export * from './reconciliation.module';
export * from './sweep/sweep-sources.use-case';
export * from './sweep/reconciliation-field.types';

export const reconciliationMigrations = [];
