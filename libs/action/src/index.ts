export * from './action.module';
export * from './execute-actions/execute-actions.use-case';

/** Action keeps no tables of its own yet: outcomes live on the run transitions and audit log. */
export const actionMigrations = [];
