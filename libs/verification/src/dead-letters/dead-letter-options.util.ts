import type { DeadLetterOptions } from './dead-letter.types';

export const DEAD_LETTER_OPTIONS = Symbol('DEAD_LETTER_OPTIONS');

export const DEFAULT_DEAD_LETTER_OPTIONS: DeadLetterOptions = {
  notifyTo: '#baton-ops',
  notifyChannel: 'chat',
  notifyThreshold: 1,
  notifyEveryMinutes: 15,
};

/**
 * Fills in the defaults and refuses bad values at start-up, naming the option. The options come
 * from `RuntimeOptions.deadLetters`, which the apps fill from their validated environment.
 */
export function resolveDeadLetterOptions(given: Partial<DeadLetterOptions> | undefined): DeadLetterOptions {
  const options = { ...DEFAULT_DEAD_LETTER_OPTIONS, ...stripUndefined(given ?? {}) };
  const problems: string[] = [];
  if (typeof options.notifyTo !== 'string' || !options.notifyTo.trim()) problems.push('deadLetters.notifyTo must be a non-empty string');
  if (options.notifyChannel !== 'chat' && options.notifyChannel !== 'email')
    problems.push("deadLetters.notifyChannel must be 'chat' or 'email'");
  if (!Number.isInteger(options.notifyThreshold) || options.notifyThreshold < 1)
    problems.push('deadLetters.notifyThreshold must be an integer of at least 1');
  if (!Number.isFinite(options.notifyEveryMinutes) || options.notifyEveryMinutes < 0)
    problems.push('deadLetters.notifyEveryMinutes must be a number of at least 0');
  if (problems.length) throw new Error(`invalid dead-letter options: ${problems.join('; ')}`);
  return options;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
