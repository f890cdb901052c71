import type { Principal } from '@baton/platform-runtime';
import { VerificationErrorCode, VerificationException } from '../verification.exception';
import type { DeadLetterRecord, DeadLetterSummary } from './dead-letter.types';

/** Operators bound to one organisation see its dead letters only; `*` sees all, including those of no organisation. */
export function canSee(principal: Principal, letter: Pick<DeadLetterSummary, 'orgId'>): boolean {
  return principal.orgId === '*' || letter.orgId === principal.orgId;
}

export function notFound(ids: readonly string[]): VerificationException {
  return new VerificationException(
    VerificationErrorCode.DeadLetterNotFound,
    ids.length === 1 ? `dead letter ${ids[0]} does not exist` : `dead letters ${ids.join(', ')} do not exist`,
    { ids },
    'not_found',
  );
}

/**
 * The dead letters asked for, each visible to the caller and still open; otherwise 404 naming
 * the unknown ids, or 409 saying which were already re-driven or discarded, by whom and when.
 */
export function assertOpen(
  principal: Principal,
  ids: readonly string[],
  found: readonly DeadLetterRecord[],
  verb: 're-driven' | 'discarded',
): DeadLetterRecord[] {
  const visible = new Map(found.filter((l) => canSee(principal, l)).map((l) => [l.id, l]));
  const missing = ids.filter((id) => !visible.has(id));
  if (missing.length) throw notFound(missing);
  const closed = [...visible.values()].filter((l) => l.status !== 'open');
  if (closed.length) {
    const what = closed.map((l) =>
      l.status === 'redriven'
        ? `dead letter ${l.id} was already re-driven by ${l.resolvedBy} at ` +
          `${l.resolvedAt}${verb === 're-driven' ? '; if it failed again, that is a new dead letter' : ''}`
        : `dead letter ${l.id} was discarded by ${l.resolvedBy} at ${l.resolvedAt} (${l.resolutionReason})`,
    );
    throw new VerificationException(
      VerificationErrorCode.DeadLetterNotOpen,
      `only open dead letters can be ${verb}: ${what.join('; ')}`,
      {
        deadLetters: closed.map((l) => ({
          id: l.id,
          status: l.status,
          resolvedBy: l.resolvedBy,
          resolvedAt: l.resolvedAt,
          reason: l.resolutionReason,
        })),
      },
      'conflict',
    );
  }
  return [...visible.values()];
}
