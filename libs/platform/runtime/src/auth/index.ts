export * from './principal.types';
export * from './api-key-registry';
export * from './api-key.guard';
