import { ConnectorArgs } from '../port/connector-args.util';
import { ConnectorError, ConnectorErrorCode } from '../port/connector.exception';
import type { Connector, ConnectorCallContext, OperationSpec } from '../port/connector.types';
import { compensateByPrevious } from './compensation.util';
import { FaultSwitch } from './fault-switch.util';
import { readOperation, writeOperation } from './sample-operation.util';
import type { ChangeListener, RecordChange, SampleSystemOptions, SampleSystemSnapshot } from './sample-system.types';

/** One operation of a sample system: what it promises, and the synchronous code that does it. */
export interface SampleOperation {
  readonly spec: OperationSpec;
  run(args: ConnectorArgs, ctx: ConnectorCallContext): unknown;
}

/** One write of a sample system as its journal keeps it: enough to redo it on the seed. */
export interface SampleJournalEntry {
  system: string;
  changes: Array<{ table: string; recordId: string; after: Record<string, unknown> | null }>;
  /** The write operation counted in `effects()`, when the write changed something. */
  effect: string | null;
  /** The idempotency key the write remembered, with what a replay of it returns. */
  replay: { key: string; fingerprint: string; result: unknown } | null;
  /** A (re)seeding, not a write: the system starts over from the seed dated this instant. */
  seededAt?: string;
}

/** Where a sample system makes its writes durable (the embedded engine's database). */
export interface SampleJournal {
  /** Stores the entry; settles once it is stored, or could not be. */
  append(entry: SampleJournalEntry): Promise<void>;
  /**
   * Stores the entry on the database the engine itself writes to, through the session that keeps
   * one order for every writer of the process, as a fence: should it fail, the database takes
   * nothing sent after it. The entry is in line from the moment this returns: whatever a caller
   * commits afterwards commits only if the entry is stored too. Settles once it is stored, or could
   * not be; null (or absent) where there is no such order.
   */
  appendInOrder?(entry: SampleJournalEntry): Promise<void> | null;
}

interface StoredState<TData> {
  data: TData;
  effects: Record<string, number>;
  idempotency: Record<string, { fingerprint: string; result: unknown }>;
}

/**
 * An in-memory system of record reached as a Connector. Subclasses hold their data in `data` and
 * describe their operations; this class adds what every sample needs the same way: fault
 * switches, argument checks, idempotency keys, the change feed, effect counters and snapshots.
 *
 * Every record carries the organisation it belongs to. A call made for an organisation
 * (`ctx.orgId`, the run's) sees only that organisation's records: naming another's is a data
 * failure (`wrong_organisation`) before anything changes, lists leave them out, and what it
 * creates is stamped with it. Calls without one are the system's own (scans, sweeps).
 *
 * An operation runs synchronously after the fault switches and either completes or throws before
 * changing anything, so a failed call leaves no partial write and emits no change.
 */
export abstract class SampleSystem<TData extends object> implements Connector {
  readonly faults = new FaultSwitch();
  private readonly listeners = new Set<ChangeListener>();
  private table: ReadonlyMap<string, SampleOperation> | undefined;
  private stored: StoredState<TData>;
  private pending: RecordChange[] = [];
  private journal: SampleJournal | null = null;
  private seededAt!: Date;
  /** Settles once every write so far is durable, or (`appendInOrder`) in line to be; calls answer only then. */
  private durable: Promise<void> = Promise.resolve();

  protected readonly now: () => Date;

  /** `options.now` is the clock for seed dates and timestamps; the wall clock when not given. */
  protected constructor(
    readonly name: string,
    private readonly seed: (now: Date) => TData,
    options: SampleSystemOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.stored = this.seeded();
  }

  /** What the system offers: every operation, in the order `operations` lists them. */
  protected abstract readonly operationDefinitions: readonly SampleOperation[];

  get operations(): readonly OperationSpec[] {
    return [...this.operationTable().values()].map((operation) => operation.spec);
  }

  /** The live data; subclasses mutate it only inside an operation's `run`. */
  protected get data(): TData {
    return this.stored.data;
  }

  async call(operation: string, args: Record<string, unknown>, ctx: ConnectorCallContext = {}): Promise<unknown> {
    const planned = await this.faults.beforeCall(this.name, operation);
    const definition = this.operationTable().get(operation);
    if (!definition) {
      throw new ConnectorError(
        this.name,
        operation,
        'data',
        ConnectorErrorCode.UnknownOperation,
        `${this.name}.${operation}: unknown operation (known: ${[...this.operationTable().keys()].join(', ')})`,
      );
    }
    const reader = this.readArgs(definition.spec, args, ctx);
    const replayKey = definition.spec.honoursIdempotencyKey && ctx.idempotencyKey ? `${operation}:${ctx.idempotencyKey}` : undefined;
    // The organisation is part of the request: a key replayed for another one is another request.
    const fingerprint = replayKey ? stableStringify({ args, orgId: ctx.orgId ?? null }) : '';
    const replay = replayKey ? this.stored.idempotency[replayKey] : undefined;

    let result: unknown;
    let stored: Promise<ConnectorError | null> = Promise.resolve(null);
    if (replay) {
      if (replay.fingerprint !== fingerprint) {
        throw reader.invalid(
          'idempotencyKey',
          `"${ctx.idempotencyKey}" was already used with different arguments`,
          ConnectorErrorCode.IdempotencyKeyReused,
        );
      }
      result = replay.result;
    } else {
      const applied = this.apply(definition, reader, ctx);
      result = applied.result;
      // One copy for what a replay of the key returns, kept and journaled alike: neither changes
      // it (a replay answers with a copy of it, as a restart's redo keeps the journal's).
      const kept = replayKey ? copyOf(result) : undefined;
      if (replayKey) this.stored.idempotency[replayKey] = { fingerprint, result: kept };
      if (this.journal && (applied.changes.length > 0 || replayKey)) {
        stored = this.journalWrite(definition, applied.changes, replayKey ? { key: replayKey, fingerprint, result: kept } : null);
      }
    }
    // What a call returns, or saw, is durable before the caller hears of it, or in line to be
    // ahead of anything the caller can commit afterwards (see `journalWrite`).
    await this.durable;
    const notStored = await stored;
    if (notStored) throw notStored;
    if (planned) throw planned.error;
    return copyOf(result);
  }

  /**
   * Redoes the journaled writes on the seed, then journals every write from now on: a write is
   * answered only once its journal entry is stored, or, on a journal that keeps the engine's order
   * (`appendInOrder`), queued ahead of anything the caller can commit next. Either way a process
   * that dies mid-call loses only writes whose outcome nothing committed records (and the caller
   * retries them under the same idempotency key).
   */
  attachJournal(journal: SampleJournal, entries: readonly SampleJournalEntry[]): void {
    const mine = entries.filter((entry) => entry.system === this.name);
    if (mine.some((entry) => entry.seededAt)) {
      // The journal is the truth: start from the seed it was written on (seeds are dated by the clock).
      for (const entry of mine) this.redo(entry);
    } else {
      // A new journal: it starts with this system's seed, then whatever it already did.
      void journal
        .append({ system: this.name, changes: [], effect: null, replay: null, seededAt: this.seededAt.toISOString() })
        .catch(() => undefined);
      for (const entry of mine) this.redo(entry);
    }
    this.journal = journal;
  }

  /**
   * Stores the write's journal entry; settles once the caller may be answered, with the error to
   * answer with if it could not be stored. On a journal that keeps the engine's order that is as
   * soon as the entry is queued: no round trip to the database per write. Should the entry then
   * fail, the database refuses everything sent after it, so nothing that went ahead on the write
   * can commit; it is undone here too, as a failure the caller heard of is.
   */
  private journalWrite(
    definition: SampleOperation,
    changes: readonly RecordChange[],
    replay: SampleJournalEntry['replay'],
  ): Promise<ConnectorError | null> {
    const entry: SampleJournalEntry = {
      system: this.name,
      changes: changes.map((c) => ({
        table: c.table,
        recordId: c.recordId,
        after: c.after ? copyOf(c.after as Record<string, unknown>) : null,
      })),
      effect: definition.spec.kind === 'write' && changes.length > 0 ? definition.spec.name : null,
      replay,
    };
    const inLine = this.journal!.appendInOrder?.(entry) ?? null;
    const outcome = (inLine ?? this.journal!.append(entry)).then(
      () => null,
      (error: unknown) => {
        // Not durable: undo it in memory too, and let the caller retry (its key makes that safe).
        this.undo(entry, changes);
        return new ConnectorError(
          this.name,
          definition.spec.name,
          'transient',
          ConnectorErrorCode.Unavailable,
          `${this.name}: the write could not be stored: ${(error as Error).message}`,
        );
      },
    );
    // In line: answered at once (should it fail to be stored, the database stops; see above).
    const answer = inLine ? Promise.resolve(null) : outcome;
    // Later calls answer only once this write is settled (or in line), so nobody goes ahead on
    // what may yet be undone.
    this.durable = Promise.all([this.durable, answer]).then(() => undefined);
    return answer;
  }

  private redo(entry: SampleJournalEntry): void {
    if (entry.seededAt) {
      this.stored = this.seeded(new Date(entry.seededAt));
      return;
    }
    const data = this.stored.data as unknown as Record<string, Record<string, unknown>>;
    for (const change of entry.changes) {
      const table = (data[change.table] ??= {});
      if (change.after === null) delete table[change.recordId];
      else table[change.recordId] = change.after;
    }
    if (entry.effect) this.stored.effects[entry.effect] = (this.stored.effects[entry.effect] ?? 0) + 1;
    if (entry.replay) this.stored.idempotency[entry.replay.key] = { fingerprint: entry.replay.fingerprint, result: entry.replay.result };
  }

  private undo(entry: SampleJournalEntry, changes: readonly RecordChange[]): void {
    const data = this.stored.data as unknown as Record<string, Record<string, unknown>>;
    for (const change of [...changes].reverse()) {
      const table = (data[change.table] ??= {});
      if (change.before === null) delete table[change.recordId];
      else table[change.recordId] = copyOf(change.before as Record<string, unknown>);
    }
    if (entry.effect) this.stored.effects[entry.effect] = Math.max(0, (this.stored.effects[entry.effect] ?? 1) - 1);
    if (entry.replay) delete this.stored.idempotency[entry.replay.key];
  }

  /** Subscribes to every write; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * How many times each write operation changed something. Idempotent replays, no-op writes
   * (voiding what is already void) and failed calls do not count.
   */
  effects(): Record<string, number> {
    const writes = this.operations.filter((spec) => spec.kind === 'write');
    return Object.fromEntries(writes.map((spec) => [spec.name, this.stored.effects[spec.name] ?? 0]));
  }

  snapshot(): SampleSystemSnapshot<TData> {
    return copyOf({ system: this.name, ...this.stored });
  }

  /** Puts back data, effect counters and remembered idempotency keys; emits no changes. */
  restore(snapshot: SampleSystemSnapshot<TData>): void {
    if (snapshot.system !== this.name) {
      throw new Error(`cannot restore a ${snapshot.system} snapshot into ${this.name}`);
    }
    const { data, effects, idempotency } = copyOf(snapshot);
    this.stored = { data: data as TData, effects: { ...effects }, idempotency: { ...idempotency } };
  }

  /** Back to the seed (dated from the clock now) with no effects and every fault cleared. */
  reset(): void {
    this.stored = this.seeded();
    this.faults.clear();
    if (this.journal)
      void this.journal
        .append({ system: this.name, changes: [], effect: null, replay: null, seededAt: this.seededAt.toISOString() })
        .catch(() => undefined);
  }

  /** Records a write of the operation running now; listeners hear of it once the operation succeeds. */
  protected recordChange(ctx: ConnectorCallContext, table: string, recordId: string, before: object | null, after: object | null): void {
    const op = before === null ? 'c' : after === null ? 'd' : 'u';
    this.pending.push({
      system: this.name,
      table,
      recordId,
      op,
      before: before && copyOf(before as Record<string, unknown>),
      after: after && copyOf(after as Record<string, unknown>),
      at: this.timestamp(),
      ...(ctx.runId === undefined ? {} : { runId: ctx.runId }),
    });
  }

  /**
   * Records a write of one record and puts the new version in its table: what every write
   * operation does once it has decided what the record becomes.
   */
  protected store<K extends TableName<TData>>(
    ctx: ConnectorCallContext,
    table: K,
    recordId: string,
    before: RowOf<TData[K]> | null,
    after: RowOf<TData[K]>,
  ): void {
    this.recordChange(ctx, table, recordId, before, after);
    this.rowsOf(table)[recordId] = after;
  }

  /** The records of `table`, by id. */
  private rowsOf<K extends TableName<TData>>(table: K): Record<string, RowOf<TData[K]>> {
    return this.data[table] as Record<string, RowOf<TData[K]>>;
  }

  /**
   * The record a call names by the argument `field`: "not found" unless the table holds that id,
   * and refused when it belongs to another organisation than the call's. `orgOf` says whose a
   * record is, for a table whose records do not carry `orgId` themselves.
   */
  protected named<T extends object>(
    args: ConnectorArgs,
    ctx: ConnectorCallContext,
    table: Readonly<Record<string, T>>,
    field: string,
    orgOf: (record: T) => string | null | undefined = (record) => (record as { orgId?: string | null }).orgId,
  ): T {
    const id = args.string(field);
    const record = this.own(table, id);
    if (!record) throw this.notFound(args, field, id);
    this.assertSameOrg(args, ctx, field, id, orgOf(record));
    return record;
  }

  /**
   * The read that answers the record of `table` the argument `idArg` names (getLead answers the lead
   * `leadId` names), found and checked as `named` does.
   */
  protected readById(name: string, description: string, table: TableName<TData>, idArg: string): SampleOperation {
    return readOperation(name, description, { [idArg]: 'required' }, (args, ctx) => this.named(args, ctx, this.rowsOf(table), idArg));
  }

  /**
   * The write that undoes the creation of a record (voidRefund, retractLead): the record `idArg`
   * names takes `status`, and `stampedAt`, when given, the time. A record already in that status is
   * answered as it is, so ending it twice changes nothing. `onEnded` makes whatever other change the
   * write makes once a record has ended.
   */
  protected endingOperation<K extends TableName<TData>>(ending: {
    name: string;
    readBack: string;
    description: string;
    table: K;
    idArg: string;
    status: string;
    stampedAt?: string;
    onEnded?: (ended: RowOf<TData[K]>, ctx: ConnectorCallContext) => void;
  }): SampleOperation {
    const { name, readBack, description, table, idArg, status, stampedAt, onEnded } = ending;
    return writeOperation({ name, readBack, description, args: { [idArg]: 'required' } }, (args, ctx) => {
      const record = this.named(args, ctx, this.rowsOf(table), idArg);
      if (fieldOf(record, 'status') === status) return record;
      const after = { ...record, status, ...(stampedAt === undefined ? {} : { [stampedAt]: this.timestamp() }) };
      this.store(ctx, table, String(fieldOf(record, idArg)), record, after);
      onEnded?.(after, ctx);
      return after;
    });
  }

  /**
   * The write that moves a record to another value of `field` (assignLead moves a lead to another
   * team). It answers the record, under `record`, and the value it had, under `previous`: given that
   * value, the same write moves the record back, so it is its own compensation. A record in status
   * `refusedIn` (retracted, closed) does not move.
   */
  protected movingOperation<K extends TableName<TData>>(moving: {
    name: string;
    readBack: string;
    description: string;
    table: K;
    record: string;
    idArg: string;
    field: string;
    previous: string;
    refusedIn: string;
    honoursIdempotencyKey: boolean;
  }): SampleOperation {
    const { name, readBack, description, table, record, idArg, field, previous, refusedIn, honoursIdempotencyKey } = moving;
    return writeOperation(
      {
        name,
        readBack,
        description,
        compensation: name,
        compensationArgs: compensateByPrevious(record, idArg, previous, field),
        args: { [idArg]: 'required', [field]: 'required' },
        honoursIdempotencyKey,
      },
      (args, ctx) => {
        const current = this.named(args, ctx, this.rowsOf(table), idArg);
        const value = args.string(field);
        const id = String(fieldOf(current, idArg));
        if (fieldOf(current, 'status') === refusedIn) throw args.invalid(idArg, `"${id}" is ${refusedIn}`, ConnectorErrorCode.InvalidState);
        const after = { ...current, [field]: value };
        if (value !== fieldOf(current, field)) this.store(ctx, table, id, current, after);
        return { [record]: after, [previous]: fieldOf(current, field) };
      },
    );
  }

  protected timestamp(): string {
    return this.now().toISOString();
  }

  /** The first free id of the form `<prefix>_<n>` from 1001, so generated ids never hit seeded ones. */
  /**
   * A record by an id that came from outside. Only own keys count: an id such as `constructor`
   * or `__proto__` must be "not found", never a member every object inherits.
   */
  protected own<T>(table: Readonly<Record<string, T>>, id: string): T | undefined {
    return Object.hasOwn(table, id) ? table[id] : undefined;
  }

  protected nextId(prefix: string, taken: Readonly<Record<string, unknown>>): string {
    // Records are never deleted, so the search resumes where the last one ended (not quadratic).
    const hints = NEXT_ID_HINTS.get(taken) ?? new Map<string, number>();
    NEXT_ID_HINTS.set(taken, hints);
    let n = hints.get(prefix) ?? 1001;
    while (`${prefix}_${n}` in taken) n += 1;
    hints.set(prefix, n);
    return `${prefix}_${n}`;
  }

  /**
   * Refuses a record of another organisation than the call's. A record of no organisation (one
   * the system created for itself) is another organisation's too, for a call that names one.
   */
  protected assertSameOrg(
    args: ConnectorArgs,
    ctx: ConnectorCallContext,
    field: string,
    id: string,
    recordOrg: string | null | undefined,
  ): void {
    if (ctx.orgId === undefined || recordOrg === ctx.orgId) return;
    throw args.invalid(field, `"${id}" belongs to another organisation than ${ctx.orgId}`, ConnectorErrorCode.WrongOrganisation);
  }

  /** The records a call may see: all for the system's own calls, else its organisation's. */
  protected visibleTo<T extends { orgId?: string | null }>(ctx: ConnectorCallContext, records: T[]): T[] {
    return ctx.orgId === undefined ? records : records.filter((record) => record.orgId === ctx.orgId);
  }

  /** An `orgId` filter argument, which a call made for an organisation may only set to its own. */
  protected orgFilter(args: ConnectorArgs, ctx: ConnectorCallContext): string | undefined {
    const orgId = args.optionalString('orgId');
    if (orgId !== undefined && ctx.orgId !== undefined && orgId !== ctx.orgId) {
      throw args.invalid(
        'orgId',
        `"${orgId}" is another organisation than ${ctx.orgId}, the one this call is made for`,
        ConnectorErrorCode.WrongOrganisation,
      );
    }
    return orgId ?? ctx.orgId;
  }

  protected notFound(args: ConnectorArgs, field: string, value: string): ConnectorError {
    return args.invalid(field, `"${value}" not found`, ConnectorErrorCode.NotFound);
  }

  private apply(
    definition: SampleOperation,
    reader: ConnectorArgs,
    ctx: ConnectorCallContext,
  ): { result: unknown; changes: RecordChange[] } {
    this.pending = [];
    let result: unknown;
    try {
      result = definition.run(reader, ctx);
    } catch (error) {
      this.pending = [];
      throw error;
    }
    const changes = this.pending;
    this.pending = [];
    if (definition.spec.kind === 'write' && changes.length > 0) {
      this.stored.effects[definition.spec.name] = (this.stored.effects[definition.spec.name] ?? 0) + 1;
    }
    for (const change of changes) this.emit(change);
    return { result, changes };
  }

  /**
   * A throwing listener must not turn a completed write into a reported failure, so its error is
   * rethrown on a later microtask where it surfaces as an uncaught error instead.
   */
  private emit(change: RecordChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(copyOf(change));
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private readArgs(spec: OperationSpec, args: unknown, ctx: ConnectorCallContext): ConnectorArgs {
    const invalidCall = (field: string, problem: string) =>
      new ConnectorError(
        this.name,
        spec.name,
        'data',
        ConnectorErrorCode.InvalidArgument,
        `${this.name}.${spec.name}: ${field} ${problem}`,
      );
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw invalidCall('args', 'must be an object');
    const allowed = spec.args ?? {};
    const unknown = Object.keys(args).filter((key) => !(key in allowed));
    if (unknown.length > 0) {
      throw invalidCall(unknown.join(', '), `${unknown.length > 1 ? 'are not arguments' : 'is not an argument'} of ${spec.name}`);
    }
    if (ctx.idempotencyKey !== undefined && (typeof ctx.idempotencyKey !== 'string' || ctx.idempotencyKey === '')) {
      throw invalidCall('idempotencyKey', 'must be a non-empty string');
    }
    if (ctx.orgId !== undefined && (typeof ctx.orgId !== 'string' || ctx.orgId === '')) {
      throw invalidCall('orgId', 'must be a non-empty string (the organisation the call is made for)');
    }
    return new ConnectorArgs(this.name, spec.name, args as Record<string, unknown>);
  }

  private operationTable(): ReadonlyMap<string, SampleOperation> {
    this.table ??= new Map(this.operationDefinitions.map((operation) => [operation.spec.name, operation]));
    return this.table;
  }

  private seeded(at: Date = this.now()): StoredState<TData> {
    this.seededAt = at;
    return { data: this.seed(at), effects: {}, idempotency: {} };
  }
}

/** The tables of a system's data: its properties that map ids to records. */
type TableName<TData> = { [K in keyof TData]: TData[K] extends Record<string, object> ? K : never }[keyof TData] & string;
type RowOf<TTable> = TTable extends Record<string, infer Row extends object> ? Row : never;

function fieldOf(record: object, field: string): unknown {
  return (record as Record<string, unknown>)[field];
}

/** Where the free-id search of each table resumes; keyed by the table object, so a restore starts afresh. */
const NEXT_ID_HINTS = new WeakMap<object, Map<string, number>>();

/** Key order must not matter when comparing a replay's arguments with the first call's. */
function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/**
 * A deep copy of plain data (objects, arrays, primitives), as structuredClone makes it but several
 * times faster for the small records a call returns; anything else (a Date, a Map) goes to
 * structuredClone.
 */
function copyOf<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyOf) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = copyOf((value as Record<string, unknown>)[key]);
    // An own "__proto__" key (JSON.parse makes them) stays a key, as structuredClone keeps it.
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true });
    else out[key] = item;
  }
  return out as T;
}
