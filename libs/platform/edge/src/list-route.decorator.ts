import { applyDecorators, Get } from '@nestjs/common';
import { ApiOperation } from '@nestjs/swagger';

/**
 * The GET route of a controller's collection, documented by `summary`: how the lists of one
 * organisation's data (blocked runs, reviews, dead letters, queued actions) are declared, each
 * taking its query with `OrgScopedQuery`.
 */
export function ListRoute(summary: string): MethodDecorator {
  return applyDecorators(Get(), ApiOperation({ summary }));
}
