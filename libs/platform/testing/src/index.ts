export * from './postgres-test-database.util';
export * from './undo-migrations.util';
export * from './span-recorder.util';
export * from './test-data-source.util';
export * from './service-role-logins.util';
export * from './test-kafka.util';
export * from './waiting.util';
export * from './free-port.util';
