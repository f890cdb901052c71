import { deepFreeze } from './deep-freeze.util';

/**
 * Sources of truth: for each reconciled field, the one system whose value is authoritative and
 * the systems holding copies of it. Pure data and comparison, shared by enrichment (a workflow's
 * `reconcile` step checks one entity before deciding) and reconciliation (sweeps compare every
 * entity, operators write the truth back), which may not import each other.
 */

/** How a `reconcile` context step names its connector in look-ups and logs. */
export const RECONCILE_STEP_CONNECTOR = 'reconciliation';

/** Where one copy of a field lives and how to reach it through its connector. */
export interface FieldSource {
  readonly connector: string;
  /** A read operation listing every record, for sweeps. */
  readonly list: string;
  /** Field of each record holding the entity id the copies are joined on. */
  readonly key: string;
  /** The field compared. */
  readonly field: string;
  /** A read operation for one entity, given its id as argument `idArg`; answers the record or a list of records. */
  readonly read: { readonly operation: string; readonly idArg: string };
  /** Copies only: how the truth is written back; the value goes at the dotted path `valueArg` of the arguments. */
  readonly write?: { readonly operation: string; readonly idArg: string; readonly valueArg: string };
}

/** A field with one designated source of truth and the systems that hold copies of it. */
export interface ReconciledField {
  /** `<entity>.<field>`, e.g. `customer.tier`; what workflows and mismatches name. */
  readonly name: string;
  readonly truth: FieldSource;
  readonly copies: readonly FieldSource[];
}

export interface SourceValue {
  /** `<connector>.<field>`, e.g. `billing.tier`. */
  source: string;
  value: unknown;
}

/** Copies of a field that disagree with its source of truth, every value attached. */
export interface Mismatch {
  field: string;
  entityId: string;
  truth: SourceValue;
  /** Only the copies that differ from the truth. */
  copies: SourceValue[];
}

/** What a `reconcile` step puts into the run's context. */
export interface ReconciliationCheck {
  field: string;
  entityId: string;
  /** The source of truth's value: what the workflow should rely on. */
  value: unknown;
  truth: SourceValue;
  /** Every copy found, agreeing or not. */
  copies: SourceValue[];
  consistent: boolean;
  /** Set when a copy disagrees: the decision then sends the run to a person with both values. */
  mismatch: Mismatch | null;
}

/**
 * The sample systems' reconciled fields. Billing is the source of truth for a customer's tier:
 * it is the plan the customer pays for; the CRM's copy is what sales last typed.
 *
 * Kept in code rather than in a file: every process hosting enrichment or reconciliation must
 * see the same designations, and the workflow loader checks `reconcile.field` against them.
 */
export const RECONCILED_FIELDS: readonly ReconciledField[] = deepFreeze([
  {
    name: 'customer.tier',
    truth: {
      connector: 'billing',
      list: 'listAccounts',
      key: 'customerId',
      field: 'tier',
      read: { operation: 'listAccounts', idArg: 'customerId' },
    },
    copies: [
      {
        connector: 'crm',
        list: 'listCustomers',
        key: 'id',
        field: 'tier',
        read: { operation: 'getCustomer', idArg: 'customerId' },
        write: { operation: 'updateCustomer', idArg: 'customerId', valueArg: 'fields.tier' },
      },
    ],
  },
]);

export function reconciledField(name: string, fields: readonly ReconciledField[] = RECONCILED_FIELDS): ReconciledField | undefined {
  return fields.find((f) => f.name === name);
}

export function sourceLabel(source: FieldSource): string {
  return `${source.connector}.${source.field}`;
}

/**
 * The record of `entityId` in what a read or list operation answered (a record, a list of
 * records, or null), or undefined when it holds none.
 */
export function recordOf(answer: unknown, source: FieldSource, entityId: string): Record<string, unknown> | undefined {
  const candidates = Array.isArray(answer) ? answer : [answer];
  return candidates.find((r): r is Record<string, unknown> => isRecord(r) && String(r[source.key]) === entityId);
}

/** Entity id -> field value, from the answer of a source's `list` operation. */
export function valuesOf(answer: unknown, source: FieldSource): Map<string, unknown> {
  const records = Array.isArray(answer) ? answer.filter(isRecord) : [];
  return new Map(
    records.filter((r) => r[source.key] !== undefined && r[source.key] !== null).map((r) => [String(r[source.key]), r[source.field]]),
  );
}

/**
 * Compares one entity's copies with the truth. Copies that hold no record of the entity are
 * left out: there is nothing to disagree with.
 */
export function checkField(
  field: ReconciledField,
  entityId: string,
  truth: unknown,
  copies: ReadonlyArray<{ source: FieldSource; value: unknown }>,
): ReconciliationCheck {
  const truthValue = { source: sourceLabel(field.truth), value: truth };
  const found = copies.map((c) => ({ source: sourceLabel(c.source), value: c.value }));
  const differing = found.filter((c) => !sameValue(c.value, truth));
  return {
    field: field.name,
    entityId,
    value: truth,
    truth: truthValue,
    copies: found,
    consistent: differing.length === 0,
    mismatch: differing.length ? { field: field.name, entityId, truth: truthValue, copies: differing } : null,
  };
}

/** Arguments of a copy's write operation that set the field of `entityId` to `value`. */
export function writeArgs(source: FieldSource, entityId: string, value: unknown): Record<string, unknown> {
  if (!source.write) throw new Error(`${sourceLabel(source)} has no write operation`);
  const args: Record<string, unknown> = { [source.write.idArg]: entityId };
  const path = source.write.valueArg.split('.');
  let at = args;
  for (const segment of path.slice(0, -1)) at = (at[segment] ??= {}) as Record<string, unknown>;
  at[path.at(-1)!] = value;
  return args;
}

/** Structural equality of JSON values; key order does not matter. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameValue(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
