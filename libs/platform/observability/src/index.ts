export * from './json-logger';
export * from './tracing';
export * from './tracing-options.types';
export * from './metrics';
export * from './startup.util';
export * from './progress-line.util';
