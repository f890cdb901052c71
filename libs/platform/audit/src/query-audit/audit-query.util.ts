import { isoTime, nonEmptyText, oneOf, pageCursor, pageLimit, requestQuery, uuidField, type Accepted } from '@baton/platform-edge';
import { z } from 'zod';
import { AuditErrorCode, invalidInput } from '../audit.exception';

export type AuditOrder = 'desc' | 'asc';

export const MAX_AUDIT_PAGE = 500;

/**
 * `GET /audit`. Unknown parameters are refused, so a typo never widens a query silently; `from`
 * is inclusive, `to` exclusive.
 */
export const auditListQuery = requestQuery(
  z
    .strictObject({
      runId: uuidField().optional(),
      targetType: nonEmptyText().optional().meta({ description: 'run, review, or a connector name (billing, crm, ...)' }),
      targetId: nonEmptyText().optional(),
      actor: nonEmptyText().optional().meta({ description: 'system:<service> or person:<id>' }),
      from: isoTime().optional().meta({ description: 'inclusive' }),
      to: isoTime().optional().meta({ description: 'exclusive' }),
      cursor: pageCursor().optional(),
      limit: pageLimit({ max: MAX_AUDIT_PAGE, fallback: 50 }),
      order: oneOf(['desc', 'asc'], 'must be desc (newest first) or asc (oldest first)').default('desc'),
    })
    .superRefine((query, context) => {
      if (query.from && query.to && query.from.getTime() > query.to.getTime())
        context.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
    }),
  { invalid: (issues) => invalidInput(AuditErrorCode.InvalidQuery, issues) },
);

/** A validated `GET /audit` query. */
export type AuditQuery = Accepted<typeof auditListQuery>;

/** Checks every parameter and names each bad one. */
export function parseAuditQuery(raw: Record<string, unknown>): AuditQuery {
  return auditListQuery.parse(raw);
}
