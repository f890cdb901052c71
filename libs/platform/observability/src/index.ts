export * from './json-logger';
export * from './tracing';
export * from './metrics';
