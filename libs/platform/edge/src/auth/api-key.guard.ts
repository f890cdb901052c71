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
const PUBLIC = 'baton:public';
const ALL_ORGANISATIONS = 'baton:all-organisations';

/** Roles any of which the caller must have (admin always passes). Every non-public route declares them. */
export const RequireRoles = (...roles: string[]) => SetMetadata(ROLES, roles);

/**
 * A route that needs no API key, with the reason it may be open: probes and metrics (no tenant
 * data), webhook intake (authenticated by its signature).
 */
export const Public = (reason: string) => SetMetadata(PUBLIC, reason);

/** A route whose data or effect spans every organisation: only principals of `*` may call it. */
export const AllOrganisations = () => SetMetadata(ALL_ORGANISATIONS, true);

/** The authenticated caller of a guarded endpoint. */
export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest().principal;
});

/** The presented API key: `Authorization: Bearer <key>`, else `X-Api-Key: <key>`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['authorization'];
  if (typeof header === 'string' && /^Bearer\s+/i.test(header)) return header.replace(/^Bearer\s+/i, '').trim() || undefined;
  const key = headers['x-api-key'];
  return typeof key === 'string' && key ? key : undefined;
}

/**
 * Installed as the app-wide guard, so a route is closed unless it says otherwise: it needs an
 * API key unless marked `@Public`, and a route that declares no roles refuses every key. 401 says
 * what is missing; 403 says which roles (or which reach across organisations) would do.
 * Tenancy within a route (a run, a review of another organisation) is the route's own check.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyRegistry,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<string | undefined>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest();
    const key = presentedKey(request.headers);
    if (!key) {
      throw new AuthException(
        AuthErrorCode.Unauthenticated,
        'an API key is required: send Authorization: Bearer <key>',
        undefined,
        'unauthenticated',
      );
    }
    const principal = this.keys.resolve(key);
    if (!principal) throw new AuthException(AuthErrorCode.Unauthenticated, 'the API key is not recognised', undefined, 'unauthenticated');
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, targets);
    if (!roles?.length) {
      throw new AuthException(AuthErrorCode.Forbidden, 'this route declares no roles, so no key may call it', undefined, 'forbidden');
    }
    if (!hasRole(principal, ...roles)) {
      throw new AuthException(
        AuthErrorCode.Forbidden,
        `${principal.id} needs one of the roles ${roles.join(', ')}`,
        { roles },
        'forbidden',
      );
    }
    if (this.reflector.getAllAndOverride<boolean | undefined>(ALL_ORGANISATIONS, targets) && principal.orgId !== '*') {
      throw new AuthException(
        AuthErrorCode.Forbidden,
        `${principal.id} acts for ${principal.orgId} only; this route reaches every organisation and needs a principal of all ('*')`,
        { roles, orgId: '*' },
        'forbidden',
      );
    }
    request.principal = principal;
    return true;
  }
}
