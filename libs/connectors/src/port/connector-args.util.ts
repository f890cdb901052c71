import { ConnectorError, ConnectorErrorCode } from './connector.exception';
import { moneyPrecisionProblem } from '@baton/contracts';
import { roundToCents } from './money.util';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * Reads one call's arguments. Every problem becomes a `data` ConnectorError whose message names
 * the connector, operation and argument (`billing.issueRefund: amount must be a positive number`),
 * because the person unblocking the run reads that message and nothing else.
 */
export class ConnectorArgs {
  constructor(
    readonly connector: string,
    readonly operation: string,
    readonly raw: Readonly<Record<string, unknown>>,
    /** Prefix for the names in messages when this reads a nested object (`fields.`). */
    private readonly path = '',
  ) {}

  invalid(field: string, problem: string, code: string = ConnectorErrorCode.InvalidArgument): ConnectorError {
    return new ConnectorError(
      this.connector,
      this.operation,
      'data',
      code,
      `${this.connector}.${this.operation}: ${this.path}${field} ${problem}`,
    );
  }

  /** Null counts as absent, as most JSON APIs treat it. */
  has(field: string): boolean {
    return this.raw[field] !== undefined && this.raw[field] !== null;
  }

  string(field: string): string {
    const value = this.present(field);
    if (typeof value !== 'string') throw this.invalid(field, 'must be a string');
    if (value.trim() === '') throw this.invalid(field, 'must not be empty');
    return value;
  }

  optionalString(field: string): string | undefined {
    return this.has(field) ? this.string(field) : undefined;
  }

  email(field: string): string {
    const value = this.string(field);
    if (!EMAIL.test(value)) throw this.invalid(field, `must be an email address, got "${value}"`);
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    const value = this.string(field);
    if (!(allowed as readonly string[]).includes(value)) {
      throw this.invalid(field, `must be one of ${allowed.join(', ')}, got "${value}"`);
    }
    return value as T;
  }

  optionalOneOf<T extends string>(field: string, allowed: readonly T[]): T | undefined {
    return this.has(field) ? this.oneOf(field, allowed) : undefined;
  }

  /** A positive amount in major units, returned rounded to cents. */
  amount(field: string): number {
    const value = this.present(field);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw this.invalid(field, 'must be a positive number');
    }
    const rounded = roundToCents(value);
    if (rounded <= 0) throw this.invalid(field, 'must be at least 0.01');
    return rounded;
  }

  /**
   * A positive amount in major units of `currency`, exactly as given: one finer than the
   * currency's minor unit (499.999 in USD) is refused, never rounded into something else.
   */
  money(field: string, currency: string): number {
    const value = this.present(field);
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw this.invalid(field, 'must be a positive number');
    }
    const problem = moneyPrecisionProblem(value, currency);
    if (problem) throw this.invalid(field, problem);
    return value;
  }

  currency(field: string): string {
    const value = this.string(field);
    if (!CURRENCY.test(value)) throw this.invalid(field, `must be a three-letter currency code such as USD, got "${value}"`);
    return value;
  }

  nonNegativeInteger(field: string): number {
    const value = this.present(field);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw this.invalid(field, 'must be a non-negative integer');
    }
    return value;
  }

  optionalNonNegativeInteger(field: string): number | undefined {
    return this.has(field) ? this.nonNegativeInteger(field) : undefined;
  }

  object(field: string): Record<string, unknown> {
    const value = this.present(field);
    if (typeof value !== 'object' || Array.isArray(value)) throw this.invalid(field, 'must be an object');
    return value as Record<string, unknown>;
  }

  /** A reader over a nested object, so its problems are reported as `fields.tier ...`. */
  nested(field: string): ConnectorArgs {
    return new ConnectorArgs(this.connector, this.operation, this.object(field), `${this.path}${field}.`);
  }

  private present(field: string): unknown {
    if (!this.has(field)) throw this.invalid(field, 'is required');
    return this.raw[field];
  }
}
