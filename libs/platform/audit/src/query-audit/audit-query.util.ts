import { AuditErrorCode, invalidInput, type FieldIssue } from '../audit.exception';

export type AuditOrder = 'desc' | 'asc';

/** A validated `GET /audit` query. */
export interface AuditQuery {
  runId?: string;
  targetType?: string;
  targetId?: string;
  actor?: string;
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** `nextCursor` of the previous page: the id of its last entry. */
  cursor?: string;
  limit: number;
  order: AuditOrder;
}

export const AUDIT_QUERY_PARAMS = ['runId', 'targetType', 'targetId', 'actor', 'from', 'to', 'cursor', 'limit', 'order'] as const;
export const MAX_AUDIT_PAGE = 500;
const DEFAULT_LIMIT = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const ID = /^[1-9]\d{0,18}$/;

/** Checks every parameter and names each bad one; unknown parameters are refused too, so a typo never widens a query silently. */
export function parseAuditQuery(raw: Record<string, unknown>): AuditQuery {
  const issues: FieldIssue[] = [];
  const text = (name: string): string | undefined => {
    const value = raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      issues.push({ path: name, message: 'must be given once' });
      return undefined;
    }
    if (value === '') {
      issues.push({ path: name, message: 'must not be empty' });
      return undefined;
    }
    return value;
  };
  const time = (name: string): Date | undefined => {
    const value = text(name);
    if (value === undefined) return undefined;
    const date = new Date(value);
    if (!ISO_TIME.test(value) || Number.isNaN(date.getTime())) {
      issues.push({ path: name, message: `must be an ISO-8601 time such as 2025-01-31T12:00:00Z, got "${value}"` });
      return undefined;
    }
    return date;
  };

  for (const name of Object.keys(raw)) {
    if (!(AUDIT_QUERY_PARAMS as readonly string[]).includes(name)) {
      issues.push({ path: name, message: `is not a query parameter (known: ${AUDIT_QUERY_PARAMS.join(', ')})` });
    }
  }
  const runId = text('runId');
  if (runId !== undefined && !UUID.test(runId)) issues.push({ path: 'runId', message: `must be a UUID, got "${runId}"` });
  const from = time('from');
  const to = time('to');
  if (from && to && from.getTime() > to.getTime()) issues.push({ path: 'from', message: 'must not be after to' });
  const cursor = text('cursor');
  if (cursor !== undefined && !ID.test(cursor)) issues.push({ path: 'cursor', message: 'must be the nextCursor of a previous page (a positive integer)' });
  const limitText = text('limit');
  const limit = limitText === undefined ? DEFAULT_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) issues.push({ path: 'limit', message: `must be an integer from 1 to ${MAX_AUDIT_PAGE}` });
  const order = text('order') ?? 'desc';
  if (order !== 'desc' && order !== 'asc') issues.push({ path: 'order', message: 'must be desc (newest first) or asc (oldest first)' });
  const targetType = text('targetType');
  const targetId = text('targetId');
  const actor = text('actor');

  if (issues.length) throw invalidInput(AuditErrorCode.InvalidQuery, issues);
  return {
    ...(runId !== undefined ? { runId: runId.toLowerCase() } : {}),
    ...(targetType !== undefined ? { targetType } : {}),
    ...(targetId !== undefined ? { targetId } : {}),
    ...(actor !== undefined ? { actor } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(cursor !== undefined ? { cursor } : {}),
    limit,
    order: order as AuditOrder,
  };
}
