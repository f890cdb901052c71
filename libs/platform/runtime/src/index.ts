export * from './runtime.options';
export * from './workflow-catalog';
export * from './baton-runtime.module';
export * from './health.controller';
export * from './run-variables.util';
export * from './failure.util';
export * from './auth';
export * from './consumers.controller';
