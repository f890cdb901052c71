export * from './audit.module';
export * from './audit.exception';
export * from './query-audit/audit-query.util';
export * from './query-audit/audit-entry.repository';
export * from './query-audit/audit.controller';
export * from './revert-entry/revert-audit-entry.use-case';
export * from './revert-entry/audit-revert.controller';
