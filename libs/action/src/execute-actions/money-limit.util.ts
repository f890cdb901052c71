import type { Failure } from '@baton/platform-runtime';

/** One money-moving call a run is about to make, and the organisation's limit for its operation. */
export interface MoneyMove {
  /** `<connector>.<operation>`: the key of the organisation's `moneyLimits`. */
  operation: string;
  orgId: string;
  /** The call's arguments holding the amount and its currency, as the operation's spec names them. */
  moves: { readonly amount: string; readonly currency?: string };
  args: Record<string, unknown>;
  /** Who decided the run: a person's decision is never held back. */
  decidedBy: { kind: string };
  /** The organisation's `moneyLimits[operation]`: one amount, one per currency, or undefined when unset. */
  limit: unknown;
}

/**
 * The money-limit policy: a call no person decided is held back when it would move more than
 * the organisation's limit for its operation, or an amount that cannot be compared with it (not
 * a finite number, or in a currency the limit does not name). An operation without a limit is
 * not checked. The failure is a data failure (`money_limit`): the run blocks until a person
 * approves it.
 */
export function moneyLimitHold(move: MoneyMove): Failure | null {
  const { operation, orgId, moves, args, limit: setting } = move;
  if (move.decidedBy.kind === 'person' || setting === undefined) return null;
  const amount = args[moves.amount];
  const currency = moves.currency === undefined ? undefined : args[moves.currency];
  if (typeof amount !== 'number' || !Number.isFinite(amount))
    return held(`${operation} moves money but its ${moves.amount} is ${JSON.stringify(amount)}, not an amount`);
  const what = `${operation} would move ${String(amount)}${typeof currency === 'string' ? ` ${currency}` : ''}`;
  // One amount whatever the currency, or one per currency.
  const limit = typeof setting === 'number' ? setting : typeof currency === 'string' && isRecord(setting) ? setting[currency] : undefined;
  if (typeof limit !== 'number') return held(`${what}, and ${orgId} sets no limit for it in that currency`);
  if (amount > limit) return held(`${what}, above ${orgId}'s limit of ${limit} for it`);
  return null;
}

function held(message: string): Failure {
  return { failureClass: 'data', code: 'money_limit', message: `${message}; a person must approve it` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
