import type { LedgerOutcome } from '@baton/platform-database';

/** Work without an inbox always runs: there is nothing it could be a duplicate of. */
export function valueOf<T>(outcome: LedgerOutcome<T>): T {
  if (outcome.outcome !== 'processed') throw new Error('work without an inbox cannot be skipped');
  return outcome.value;
}
