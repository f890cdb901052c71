export * from './auth/principal.types';
export * from './auth/api-key-registry';
export * from './auth/api-key.guard';
export * from './auth/edge-auth.module';
export * from './auth/principal.controller';
export * from './input/json-hygiene.util';
export * from './input/input-hardening.util';
export * from './http-app.util';
