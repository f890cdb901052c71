import { Controller, Get, Module, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DomainException } from '@baton/platform-errors';
import { z } from 'zod';
import { orgScope } from '../../auth/principal.types';
import { configureHttpApp } from '../../http-app.util';
import { pageLimit } from '../request-fields.schema';
import { describeIssues, requestQuery } from '../request-schema.util';
import { OrgScopedQuery, ValidQuery, type OrgScoped } from '../valid-input.decorator';

const invalid = (issues: Array<{ path: string; message: string }>) =>
  new DomainException('invalid_thing', describeIssues('invalid query', issues), { issues });

const listQuery = requestQuery(
  z.object({ limit: pageLimit({ max: 20, fallback: 10 }), colour: z.enum(['red', 'blue'], { error: 'must be red or blue' }).optional() }),
  { invalid },
);

/** Stands in for the API key guard: the caller acts for the organisation the `x-org` header names. */
class CallerFromHeader implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; principal?: unknown }>();
    request.principal = { id: 'someone', orgId: request.headers['x-org'], roles: [] };
    return true;
  }
}

@Controller()
@UseGuards(CallerFromHeader)
class ThingsController {
  @Get('scoped')
  scoped(@OrgScopedQuery(listQuery) query: OrgScoped<typeof listQuery>): unknown {
    return { ...query, scope: query.orgId ?? 'all' };
  }

  @Get('plain')
  plain(@ValidQuery(listQuery) query: unknown): unknown {
    return query;
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe(OrgScopedQuery.name, () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(ThingsModule, new FastifyAdapter(), { logger: false });
    configureHttpApp(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => app.close());

  async function get(url: string, org: string): Promise<{ status: number; body: unknown }> {
    const response = await app.inject({ method: 'GET', url, headers: { 'x-org': org } });
    return { status: response.statusCode, body: JSON.parse(response.body) };
  }

  it('hands the handler the accepted query with the organisation the caller acts for', async () => {
    expect(await get('/scoped?colour=red', 'acme')).toEqual({
      status: 200,
      body: { limit: 10, colour: 'red', orgId: 'acme', scope: 'acme' },
    });
  });

  it('leaves the organisation out for a caller of all of them', async () => {
    expect(await get('/scoped', '*')).toEqual({ status: 200, body: { limit: 10, scope: 'all' } });
  });

  it('answers a bad query 400 with the declaration’s own error, as ValidQuery does', async () => {
    const scoped = await get('/scoped?limit=99&colour=green', 'acme');

    expect(scoped).toEqual(await get('/plain?limit=99&colour=green', 'acme'));
    expect(scoped).toMatchObject({ status: 400, body: { error: 'invalid_thing' } });
  });

  it('documents the query parameters as ValidQuery does', () => {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());

    expect(document.paths['/scoped']!.get!.parameters).toEqual(document.paths['/plain']!.get!.parameters);
    expect(document.paths['/scoped']!.get!.parameters!.map((p) => ('name' in p ? p.name : p.$ref))).toEqual(['limit', 'colour']);
  });

  it('refuses a query that declares orgId itself, which it would overwrite', () => {
    const withOrg = requestQuery(z.object({ orgId: z.string().optional() }), { invalid });

    expect(() => OrgScopedQuery(withOrg)).toThrow('OrgScopedQuery sets orgId itself: the query may not declare it');
  });
});

describe(orgScope.name, () => {
  it('limits a principal to its organisation, and one of all (`*`) to none', () => {
    expect(orgScope({ id: 'a', orgId: 'acme', roles: [] })).toBe('acme');
    expect(orgScope({ id: 'b', orgId: '*', roles: [] })).toBeUndefined();
  });
});
