export * from './postgres-test-database.util';
export * from './span-recorder.util';
