import { Body, createParamDecorator, Query, type ExecutionContext, type PipeTransform } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import { orgScope, type Principal } from '../auth/principal.types';
import type { Accepted, JsonSchema, RequestSchema } from './request-schema.util';

/** Checks a route's body or query against its declaration; refused input throws the declaration's own error. */
class RequestSchemaPipe implements PipeTransform {
  constructor(private readonly declared: RequestSchema) {}

  transform(value: unknown): unknown {
    return this.declared.parse(value);
  }
}

/**
 * The route's body, checked against `declared`, which also becomes the body schema of the
 * route in the OpenAPI document: the check and the documentation cannot drift apart.
 */
export function ValidBody(declared: RequestSchema): ParameterDecorator {
  if (declared.source !== 'body') throw new Error('ValidBody takes a request body (requestBody)');
  return (target, key, index) => {
    Body(new RequestSchemaPipe(declared))(target, key, index);
    document(target, key, ApiBody({ schema: declared.jsonSchema as object, required: declared.required }));
  };
}

/**
 * The route's query string, checked against `declared` and parsed (defaults applied); each field
 * of the declaration becomes one documented query parameter with its schema.
 */
export function ValidQuery(declared: RequestSchema): ParameterDecorator {
  if (declared.source !== 'query') throw new Error('ValidQuery takes a query declaration (requestQuery)');
  return (target, key, index) => {
    Query(new RequestSchemaPipe(declared))(target, key, index);
    documentQuery(target, key, declared);
  };
}

/** What a list route of one organisation's data receives: the accepted query, and the organisation it may read. */
export type OrgScoped<D extends RequestSchema> = Accepted<D> & { orgId: string | undefined };

/**
 * The route's query string as `ValidQuery` checks and documents it, with `orgId` added: the
 * caller's organisation, or undefined for a principal of all (`*`). A list route hands it to its
 * repository as the filter, so an operator of one organisation lists that organisation's rows only.
 */
export function OrgScopedQuery(declared: RequestSchema): ParameterDecorator {
  if (declared.source !== 'query') throw new Error('OrgScopedQuery takes a query declaration (requestQuery)');
  if ('orgId' in declared.schema.shape) throw new Error('OrgScopedQuery sets orgId itself: the query may not declare it');
  return (target, key, index) => {
    orgScopedQuery(declared)(target, key, index);
    documentQuery(target, key, declared);
  };
}

const orgScopedQuery = createParamDecorator((declared: RequestSchema, context: ExecutionContext): object => {
  const request = context.switchToHttp().getRequest<{ query: unknown; principal?: Principal }>();
  if (!request.principal) throw new Error('OrgScopedQuery needs the caller: the route must not be public');
  return { ...declared.parse(request.query), orgId: orgScope(request.principal) };
});

/** Each field of the query declaration becomes one documented query parameter of the route, with its schema. */
function documentQuery(target: object, key: string | symbol | undefined, declared: RequestSchema): void {
  const required = new Set(declared.jsonSchema.required ?? []);
  for (const [name, property] of Object.entries(declared.jsonSchema.properties ?? {})) {
    const { description, example, ...schema } = property as JsonSchema & { description?: string; example?: unknown };
    document(
      target,
      key,
      ApiQuery({
        name,
        required: required.has(name),
        schema,
        ...(description ? { description } : {}),
        ...(example !== undefined ? { example } : {}),
      }),
    );
  }
}

/** Applies a method decorator of @nestjs/swagger from a parameter decorator: the handler is the same function. */
function document(target: object, key: string | symbol | undefined, decorator: MethodDecorator): void {
  if (key === undefined) throw new Error('ValidBody, ValidQuery and OrgScopedQuery decorate a route handler parameter');
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (!descriptor) throw new Error(`no method ${String(key)} to document`);
  decorator(target, key, descriptor);
}
