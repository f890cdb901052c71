export * from './domain.exception';
export * from './http-exception.filter';
export * from './connectivity.util';
export * from './field-issue.util';
