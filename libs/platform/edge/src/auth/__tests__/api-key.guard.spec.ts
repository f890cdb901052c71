import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { AllOrganisations, ApiKeyGuard, Public, RequireRoles } from '../api-key.guard';
import { ApiKeyFileError, ApiKeyRegistry } from '../api-key-registry';

@Controller()
class Routes {
  @Get() @Public('probe') probe(): void {}
  @Get() undeclared(): void {}
  @Get() @RequireRoles('operator') operate(): void {}
  @Get() @RequireRoles('operator') @AllOrganisations() everyOrg(): void {}
}

const keys = ApiKeyRegistry.of([
  { key: 'operator-acme-key', id: 'ops@acme.example', orgId: 'acme', roles: ['operator'] },
  { key: 'operator-all-key', id: 'ops@baton.example', orgId: '*', roles: ['operator'] },
  { key: 'admin-acme-key-1', id: 'admin@acme.example', orgId: 'acme', roles: ['admin'] },
  { key: 'viewer-acme-key', id: 'viewer@acme.example', orgId: 'acme', roles: ['viewer'] },
]);

function context(
  handler: keyof Routes,
  headers: Record<string, string> = {},
): { ctx: ExecutionContext; request: { headers: Record<string, string>; principal?: unknown } } {
  const request: { headers: Record<string, string>; principal?: unknown } = { headers };
  const ctx = {
    getType: () => 'http',
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
  return { ctx, request };
}

function outcome(handler: keyof Routes, key?: string, header: 'authorization' | 'x-api-key' = 'authorization'): string {
  const headers: Record<string, string> = key === undefined ? {} : { [header]: header === 'authorization' ? `Bearer ${key}` : key };
  try {
    new ApiKeyGuard(keys, new Reflector()).canActivate(context(handler, headers).ctx);
    return 'admitted';
  } catch (error) {
    return `${(error as { disposition: string }).disposition}: ${(error as Error).message}`;
  }
}

describe(ApiKeyGuard.name, () => {
  it('opens only routes marked public to callers without a key', () => {
    expect(outcome('probe')).toBe('admitted');
    expect(outcome('operate')).toBe('unauthenticated: an API key is required: send Authorization: Bearer <key>');
    expect(outcome('operate', 'not-a-known-key')).toBe('unauthenticated: the API key is not recognised');
  });

  it('closes a route that declares no roles to every key, admin included', () => {
    expect(outcome('undeclared', 'admin-acme-key-1')).toBe('forbidden: this route declares no roles, so no key may call it');
  });

  it('admits the roles a route names (admin holds them all), by Bearer or X-Api-Key, and keeps the principal', () => {
    expect(outcome('operate', 'operator-acme-key')).toBe('admitted');
    expect(outcome('operate', 'operator-acme-key', 'x-api-key')).toBe('admitted');
    expect(outcome('operate', 'admin-acme-key-1')).toBe('admitted');
    expect(outcome('operate', 'viewer-acme-key')).toBe('forbidden: viewer@acme.example needs one of the roles operator');
    const { ctx, request } = context('operate', { authorization: 'Bearer operator-acme-key' });
    new ApiKeyGuard(keys, new Reflector()).canActivate(ctx);
    expect(request.principal).toEqual({ id: 'ops@acme.example', orgId: 'acme', roles: ['operator'] });
  });

  it('admits to routes spanning every organisation only principals of all', () => {
    expect(outcome('everyOrg', 'operator-all-key')).toBe('admitted');
    expect(outcome('everyOrg', 'operator-acme-key')).toMatch(
      /^forbidden: ops@acme.example acts for acme only; this route reaches every organisation/,
    );
    expect(outcome('everyOrg', 'admin-acme-key-1')).toMatch(/^forbidden: /);
  });
});

describe(ApiKeyRegistry.name, () => {
  function file(text: string): string {
    const path = join(mkdtempSync(join(tmpdir(), 'baton-keys-')), 'keys.yaml');
    writeFileSync(path, text);
    return path;
  }

  it('loads plain keys and SHA-256 digests, and knows each principal by id', () => {
    const sut = new ApiKeyRegistry(
      file(`apiKeys:
  - { key: plain-key-of-twelve, principal: a@x.example, orgId: acme, roles: [reviewer] }
  - { keySha256: ${'ab'.repeat(32)}, principal: a@x.example, orgId: globex, roles: [viewer] }
`),
    );
    expect(sut.resolve('plain-key-of-twelve')).toEqual({ id: 'a@x.example', orgId: 'acme', roles: ['reviewer'] });
    expect(sut.identitiesOf('a@x.example').map((p) => p.orgId)).toEqual(['acme', 'globex']);
    expect(sut.identitiesOf('nobody@x.example')).toEqual([]);
  });

  it('refuses a bad keys file naming the entry and each problem', () => {
    expect(() => new ApiKeyRegistry(file('apiKeys:\n  - { key: short, principal: "", orgId: acme, roles: [] }\n'))).toThrow(
      /apiKeys\[0\]: key must be at least 12 characters; principal is required; roles must be a non-empty list of role names$/,
    );
    expect(
      () =>
        new ApiKeyRegistry(
          file(
            'apiKeys:\n  - { key: same-key-twice!, principal: a, orgId: acme, roles: [viewer] }\n  - { key: same-key-twice!, ' +
              'principal: b, orgId: acme, roles: [admin] }\n',
          ),
        ),
    ).toThrow(ApiKeyFileError);
  });
});
