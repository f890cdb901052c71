import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainException } from '@baton/platform-errors';
import { ApiKeyRegistry } from './api-key-registry';
import { hasRole, type Principal } from './principal.types';

export enum AuthErrorCode {
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
}

export class AuthException extends DomainException<AuthErrorCode> {}

const ROLES = 'baton:roles';

/** Roles any of which the caller must have (admin always passes). */
export const RequireRoles = (...roles: string[]) => SetMetadata(ROLES, roles);

/** The authenticated caller of a guarded endpoint. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().principal;
});

/**
 * Authenticates `Authorization: Bearer <key>` (or `X-Api-Key: <key>`) against the configured
 * API keys and checks the roles the handler requires. 401 says what is missing; 403 says which
 * roles would do.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    const header = request.headers['authorization'];
    const key = typeof header === 'string' && /^Bearer\s+/i.test(header) ? header.replace(/^Bearer\s+/i, '').trim() : request.headers['x-api-key'];
    if (typeof key !== 'string' || !key) {
      throw new AuthException(AuthErrorCode.Unauthenticated, 'an API key is required: send Authorization: Bearer <key>', undefined, 'unauthenticated');
    }
    const principal = this.keys.resolve(key);
    if (!principal) throw new AuthException(AuthErrorCode.Unauthenticated, 'the API key is not recognised', undefined, 'unauthenticated');
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, [context.getHandler(), context.getClass()]);
    if (roles?.length && !hasRole(principal, ...roles)) {
      throw new AuthException(AuthErrorCode.Forbidden, `${principal.id} needs one of the roles ${roles.join(', ')}`, { roles }, 'forbidden');
    }
    request.principal = principal;
    return true;
  }
}
