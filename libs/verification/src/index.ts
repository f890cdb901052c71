export * from './verification.module';
export * from './verify-actions/verify-actions.use-case';

/** Verification keeps no tables of its own yet: results live on the run transitions and audit log. */
export const verificationMigrations = [];
