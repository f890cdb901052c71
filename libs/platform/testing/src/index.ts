export * from './postgres-test-database.util';
