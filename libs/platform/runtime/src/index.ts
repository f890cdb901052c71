export * from './runtime.options';
export * from './workflow-catalog';
export * from './baton-runtime.module';
export * from './health.controller';
export * from './run-variables.util';
export * from './failure.util';
export * from './consumers.controller';
// The auth primitives live with the HTTP edge; re-exported so service libs keep one import.
export {
  AllOrganisations,
  ApiKeyGuard,
  ApiKeyRegistry,
  AuthErrorCode,
  AuthException,
  canAccessOrg,
  CurrentPrincipal,
  hasRole,
  holdsExactly,
  Public,
  READ_ROLES,
  RequireRoles,
  Roles,
  type Principal,
} from '@baton/platform-edge';
