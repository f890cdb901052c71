import { canTransition, Headers, isCreatedEvent, type RunRef, type RunState } from '@baton/contracts';
import { HandOverDeclined, type HandOverResult, type ReadableMessage, type TopicRecord } from '@baton/platform-messaging';
import { DomainException } from '@baton/platform-errors';
import { bindToActiveContext, captureContext, inCapturedContext, injectTraceHeaders, withSpanForMany } from '@baton/platform-observability';
import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEntries, auditQueuedParts, pendingAuditEntry, type AuditInput, type PendingAuditEntry } from './audit-append.util';
import type { AuditRecord } from './audit-chain.util';
import { AUDIT_HEAD_MOVED, inlineAuditChainOf } from './audit-inline-chain';
import { embeddedSessionOf, isEmbeddedDatabase } from './data-source.factory';
import type { EmbeddedSession } from './pglite/pglite-serial.driver';
import type { WorkerQueryResult } from './pglite/pglite-worker.client';
import { expectationOf, oneStatement, type StatementPart } from './query/one-statement.util';
import { appendRows, columnsOf, runStatement, type SqlStatement } from './query/sql-statement';
import { RecentRunStates, RunStateCache, RunStateReader, type CurrentRunState } from './run-state.reader';

export type { CurrentRunState } from './run-state.reader';

export enum LedgerErrorCode {
  IllegalTransition = 'illegal_transition',
  TransitionConflict = 'transition_conflict',
  RunNotFound = 'run_not_found',
}

export class LedgerException extends DomainException<LedgerErrorCode> {}

export interface TransitionInput {
  to: RunState;
  /** States the caller expects the run to be in; anything else is refused. */
  from?: readonly (RunState | null)[];
  stage: string;
  actor?: string;
  reason?: string;
  detail?: Record<string, unknown>;
  causeEventId?: string;
}

export interface OutboxInput {
  topic: string;
  key: string;
  payload: unknown;
  headers?: Record<string, string>;
}

/**
 * An outgoing event as committed to the outbox: what the relay or the embedded bus delivers. Its
 * value is the event as JSON text, exactly as stored.
 */
export interface CommittedEvent extends TopicRecord<string> {
  /**
   * The outbox row id: increasing in commit order on the embedded database. Null for an event not
   * written because nobody here reads it (`RunLedger.storesOnlyWhatIsRead`).
   */
  id: string | null;
  service: string;
  headers: Record<string, string>;
  /**
   * The event as its producer made it in this process with `createEvent`, so checked against its
   * schema (absent otherwise, e.g. for a retry or dead letter, which is bytes only): a consumer
   * here reads it instead of decoding `value`, and never changes it.
   */
  event?: unknown;
}

/**
 * A table a unit of work claims rows in (`UnitOfWork.claim`): rows that must not exist yet, such
 * as a trigger's dedupe key under the table's primary key.
 */
export interface ClaimTable {
  /** The table, schema-qualified: fixed by the code that claims, never from input. */
  name: string;
  /** The columns a claim writes, in order, with their SQL types. */
  columns: ReadonlyArray<{ name: string; type: 'text' | 'uuid' | 'int' | 'bigint' }>;
}

/** The event a consumer is applying: its id is recorded for the consumer, so it applies once. */
export interface InboxEntry {
  consumer: string;
  eventId: string;
}

interface BufferedTransition {
  run: RunRef;
  seq: number;
  from: RunState | null;
  to: RunState;
  stage: string;
  actor: string;
  reason: string | null;
  detail: string;
  causeEventId: string | null;
}

interface BufferedEmit {
  topic: string;
  key: string;
  /** The event as emitted; written as JSON only if it is stored (`valueOf`). */
  payload: unknown;
  /** Its JSON, once made (or as handed back: a retry's or dead letter's value). */
  text: string | null;
  headers: Record<string, string>;
  /** The event's id and run, when it is a run's event (what a hand-over needs). */
  eventId: string | null;
  runId: string | null;
  /** Made by `createEvent`, so checked against its schema already. */
  checked: boolean;
}

/**
 * The work of one message or request inside a transaction: state transitions, audit entries and
 * outgoing events commit together or not at all (transactional outbox). Transitions, audit
 * entries and events are buffered and written when the transaction ends, all of a transaction's
 * units of work together in one multi-row statement per table; `manager` runs anything else at
 * once, in the same transaction.
 */
export class UnitOfWork {
  readonly emitted: OutboxInput[] = [];
  /** @internal */ readonly transitions: BufferedTransition[] = [];
  /** @internal */ readonly pendingAudit: PendingAuditEntry[] = [];
  /** @internal */ readonly outgoing: BufferedEmit[] = [];
  /** @internal */ readonly claims: Array<{ table: ClaimTable; values: readonly unknown[] }> = [];

  constructor(
    readonly manager: EntityManager,
    private readonly states: RunStateReader = new RunStateReader(manager, true),
    /** Seal audit entries as they are appended (a database only this process writes). */
    private readonly sealInline = false,
  ) {}

  /**
   * Claims a row that must not exist yet (a trigger's dedupe key): true when it did not, and it is
   * now recorded with this unit of work. Inside a transaction the row is inserted at once. In a
   * group whose works run before their transaction (the embedded database), the claims of the
   * whole group go in one statement with it and the row is taken to be new; should one exist
   * after all, nothing of the group is written and it runs again inside a transaction, where
   * this answers false.
   */
  async claim(table: ClaimTable, values: readonly unknown[]): Promise<boolean> {
    if (this.manager === OUTSIDE_TRANSACTION) {
      this.claims.push({ table, values });
      return true;
    }
    return (await runStatement(this.manager, claimStatements([{ table, values }])[0]!)).length > 0;
  }

  /** The run's state as this transaction sees it, including transitions buffered in it. */
  async current(runId: string): Promise<CurrentRunState | null> {
    return this.states.get(runId);
  }

  /**
   * The first transition of a run this unit of work creates under an id minted for it
   * (`newRunId()`): there is nothing to read, so it asks the database nothing. Should the id be
   * taken after all, the row number (1) conflicts and nothing of the group commits with it.
   */
  async start(run: RunRef, input: Omit<TransitionInput, 'from'>): Promise<CurrentRunState> {
    this.states.assumeNew(run.runId);
    return this.transition(run, { ...input, from: [null] });
  }

  /**
   * Appends the next transition of a run. The row number is the previous one plus one and is
   * unique per run, so of two writers advancing the run from the same state only one commits.
   */
  async transition(run: RunRef, input: TransitionInput): Promise<CurrentRunState> {
    const current = await this.states.get(run.runId);
    const from = current?.state ?? null;
    if (input.from && !input.from.includes(from)) {
      throw new LedgerException(
        LedgerErrorCode.TransitionConflict,
        `run ${run.runId} is ${from ?? 'not started'}, expected ${input.from.map((s) => s ?? 'not started').join(' or ')}`,
        { runId: run.runId, state: from, to: input.to },
        'conflict',
      );
    }
    if (!canTransition(from, input.to)) {
      throw new LedgerException(
        LedgerErrorCode.IllegalTransition,
        `run ${run.runId} cannot go from ${from ?? 'not started'} to ${input.to}`,
        { runId: run.runId, from, to: input.to },
        'reject',
      );
    }
    const seq = (current?.seq ?? 0) + 1;
    this.transitions.push({
      run,
      seq,
      from,
      to: input.to,
      stage: input.stage,
      actor: input.actor ?? `system:${input.stage}`,
      reason: input.reason ?? null,
      detail: JSON.stringify(input.detail ?? {}),
      causeEventId: input.causeEventId ?? null,
    });
    const next: CurrentRunState = {
      runId: run.runId,
      state: input.to,
      seq,
      workflowId: run.workflowId,
      workflowVersion: run.workflowVersion,
      orgId: run.orgId,
    };
    this.states.set(next);
    return next;
  }

  /**
   * Records an audit entry, appended when the transaction ends (or at `flushAudit`). The trace id
   * is taken now, from the active span.
   */
  async audit(entry: AuditInput): Promise<void> {
    this.pendingAudit.push(pendingAuditEntry(entry));
  }

  /** Appends the entries recorded so far and returns them as stored (ids and time; sealed later). */
  async flushAudit(): Promise<AuditRecord[]> {
    return appendAuditEntries(this.manager, this.pendingAudit.splice(0), { sealInline: this.sealInline });
  }

  async emit(message: OutboxInput): Promise<void> {
    const event = message.payload as { id?: unknown; runid?: unknown } | null;
    this.outgoing.push({
      topic: message.topic,
      key: message.key,
      payload: message.payload,
      text: null,
      // The active trace travels with the event, so one run is one trace across services.
      headers: { ...injectTraceHeaders(), ...eventTypeHeader(message.payload), ...message.headers },
      eventId: typeof event?.id === 'string' ? event.id : null,
      runId: typeof event?.runid === 'string' ? event.runid : null,
      checked: isCreatedEvent(message.payload),
    });
    this.emitted.push(message);
  }
}

export type LedgerOutcome<T> = { outcome: 'processed'; value: T } | { outcome: 'skipped' };

/** One cache per embedded database, shared by every ledger on it. */
const CACHES = new WeakMap<DataSource, RunStateCache>();

export interface RunLedgerOptions {
  /** Units of work committed together at most (default 512). */
  maxBatch?: number;
  /** Group transactions in flight at once, per kind of work (runs being started, messages consumed; default 1). */
  maxConcurrentGroups?: number;
  /**
   * Whether the groups of runs being started share the runs at hand (waiting and in flight)
   * evenly, up to `maxBatch` each (default false: a group takes whatever waits, up to `maxBatch`).
   * Under a steady load the groups then stay of a size, so one group's stages run while another's
   * transactions do, instead of a large group and a small one taking turns. Consumed messages'
   * groups take whatever waits either way.
   */
  evenGroups?: boolean;
  /** How long a group waits for the consumer of an event it hands over to join it (default 500 ms). */
  handOverWaitMs?: number;
  /** Hand-overs one group makes in a row at most: the stages it can carry a run through (default 4). */
  maxHandOvers?: number;
  /**
   * Whether what runs being started emit (works with no inbox entry) is handed over too (default
   * false). The starts commit first, as they are, while the stages here take their events; a
   * consumer that acts outside the database (`Subscription.actsOutside`) is handed a run only once
   * its start has committed. The stages' work then commits in a second transaction that also
   * removes the handed-over events, so they are never delivered again; should it fail, they are
   * delivered as usual. Whoever started a run hears back once both have committed.
   */
  handOverStarts?: boolean;
}

/**
 * Hands an event its producer has not committed yet to the consumer that reads it in this process
 * (`InMemoryBus.handOff`); the promise settles once the consumer's handler has. Null when it cannot.
 */
export type HandOver = (event: {
  topic: string;
  key: string;
  /** The event as its producer emitted it: the consumer reads it, never changes it. */
  event: unknown;
  /** Its bytes, made only when asked for (a failure's retry or dead letter carries them). */
  value: () => Buffer;
  headers: Record<string, string>;
  /** Made by `createEvent`, so checked against its schema already. */
  checked: boolean;
  /** When the group started the run: settles once its start has committed (rejects if it did not). */
  recorded?: Promise<void>;
}) => Promise<HandOverResult> | null;

interface Pending {
  inbox: InboxEntry | null;
  /** `consume` settles with a LedgerOutcome; `transaction` and `groupCommit` (no inbox entry, never skipped) with the work's value. */
  asOutcome: boolean;
  /** The caller's trace context, where its work and (alone) its transaction run. */
  context: ReturnType<typeof captureContext>;
  work: (uow: UnitOfWork) => Promise<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  queue: Pending[];
  /** Its groups being committed. */
  inFlight: number;
  /** The works in those groups. */
  inFlightWorks: number;
}

/** What became of an event offered to its consumer: its work joined, its handler ended without joining, or nobody waited (null). */
type Answer = { pending: Pending } | HandOverResult | null;

/** The work of a handed-over event, run in its producer's group. */
interface Joined {
  pending: Pending;
  uow: UnitOfWork;
  value: unknown;
}

/**
 * The work of a handed-over event that queries through its unit of work (a review task, a blocked
 * run's row): it runs inside the group's transaction, with its run as its producer left it.
 */
interface Deferred {
  pending: Pending;
  state: CurrentRunState;
  value: unknown;
}

/** The result of a work whose inbox entry was recorded before (it did not run). */
const SKIPPED: unique symbol = Symbol('skipped');

/** Work that threw for reasons of its own (not the database's): the culprits are known. */
class WorkFailed extends Error {
  constructor(readonly failures: Map<number, unknown>) {
    super('work failed');
  }
}

/**
 * Entry point for state changes. Three ways in:
 * - `transaction(work)`: the work alone in a transaction of its own, as a request handler needs
 *   (row locks it takes are its own, conflicts surface at once);
 * - `consume(inbox, work)`: the work of one consumed message, committed together with the work of
 *   other messages being consumed at the same time (group commit): one transaction, one
 *   multi-row statement per table, the current state of every run read in one query. The work
 *   must touch its own run only. A work that fails, or a batch the database refuses, is split:
 *   the failing work alone is rejected (its message is retried or dead-lettered by the bus), the
 *   others commit without it, nothing of it is written;
 * - `groupCommit(work)`: work that has no message to deduplicate (a run being started) but comes
 *   in bursts, group-committed like `consume`'s.
 * With an inbox entry, the event id is recorded for the consumer in the same transaction; if it
 * was recorded already, the work does not run and the outcome is `skipped`.
 */
export class RunLedger {
  private readonly listeners = new Set<(events: readonly CommittedEvent[]) => void>();
  /** Work waiting for a group: consumed messages', and runs being started (no inbox entry). */
  private readonly consumed: Lane = { queue: [], inFlight: 0, inFlightWorks: 0 };
  private readonly starts: Lane = { queue: [], inFlight: 0, inFlightWorks: 0 };
  private readonly lanes = [this.starts, this.consumed];
  private readonly reader: RunStateReader;
  private readonly cache: RunStateCache | undefined;
  /** On PostgreSQL: states `current` read, for the group that commits those runs next. */
  private readonly recent: RecentRunStates | undefined;
  /** Only this process writes the database (the embedded one): states are cached, audit entries sealed inline. */
  private readonly singleWriter: boolean;
  private readonly maxBatch: number;
  private readonly maxConcurrentGroups: number;
  private readonly evenGroups: boolean;
  private readonly handOverWaitMs: number;
  private readonly maxHandOvers: number;
  private readonly handOverStarts: boolean;
  private handOver: HandOver | null = null;
  private readsEvent: ((event: ReadableMessage) => boolean) | null = null;
  /** Events being handed over, by id: their consumer's `consume` joins the producer's group. */
  private readonly joining = new Map<string, (pending: Pending) => void>();
  /** Runs whose events are being handed over, in the state their producer's group leaves them. */
  private readonly handingOverStates = new Map<string, CurrentRunState>();
  private scheduled = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly service: string,
    options: RunLedgerOptions = {},
  ) {
    // Only this process writes the embedded database, so what it committed last is the truth.
    this.singleWriter = isEmbeddedDatabase(dataSource);
    if (this.singleWriter) {
      this.cache = CACHES.get(dataSource) ?? new RunStateCache();
      CACHES.set(dataSource, this.cache);
    } else {
      this.recent = new RecentRunStates();
    }
    this.reader = new RunStateReader(dataSource.manager, false, this.cache, this.recent);
    this.maxBatch = options.maxBatch ?? 512;
    this.maxConcurrentGroups = options.maxConcurrentGroups ?? 1;
    this.evenGroups = options.evenGroups ?? false;
    this.handOverWaitMs = options.handOverWaitMs ?? 500;
    this.maxHandOvers = options.maxHandOvers ?? 4;
    this.handOverStarts = options.handOverStarts ?? false;
  }

  /**
   * Lets a group hand the events its consumed messages produce straight to their consumer in this
   * process, whose work then commits in the same transaction (the embedded database only): no
   * outbox row, no inbox row, no second commit for that stage. See docs/design-notes.md.
   */
  handOverTo(handOver: HandOver): void {
    this.handOver = handOver;
  }

  /**
   * When the outbox is the embedded bus's log: whether some consumer group reads an event
   * (`InMemoryBus.reads`). An event nobody reads is not written (it would be deleted as soon as it
   * committed); the committed listeners still hear of it, with no id.
   */
  storesOnlyWhatIsRead(reads: (event: ReadableMessage) => boolean): void {
    this.readsEvent = reads;
  }

  /**
   * Whether the run is being handed from one stage to the next inside an uncommitted group: a
   * consumer working on it then must not commit anything of its own before its `consume`.
   */
  handingOver(runId: string): boolean {
    return this.handingOverStates.has(runId);
  }

  /** The work alone, in a transaction of its own; resolves to what the work returned. */
  transaction<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.run(null, work, false, false);
  }

  /**
   * The work of a consumed message, group-committed with other messages' work: `skipped` (and the
   * work not run) when the inbox already holds the entry. A null entry has nothing to deduplicate.
   */
  consume<T>(inbox: InboxEntry | null, work: (uow: UnitOfWork) => Promise<T>): Promise<LedgerOutcome<T>> {
    return this.run(inbox, work, true, true);
  }

  /** Work with no inbox entry, group-committed with the other work in flight; resolves to its value. */
  groupCommit<T>(work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    return this.run(null, work, true, false);
  }

  /** The run's current state (reads made at the same moment share one query). */
  async current(runId: string): Promise<CurrentRunState | null> {
    return this.handingOverStates.get(runId) ?? this.reader.get(runId);
  }

  /** Called after every commit that wrote outbox rows, with the rows, in id order. */
  onCommitted(listener: (events: readonly CommittedEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private run<T>(inbox: null, work: (uow: UnitOfWork) => Promise<T>, grouped: boolean, asOutcome: false): Promise<T>;
  private run<T>(
    inbox: InboxEntry | null,
    work: (uow: UnitOfWork) => Promise<T>,
    grouped: boolean,
    asOutcome: true,
  ): Promise<LedgerOutcome<T>>;
  private run<T>(inbox: InboxEntry | null, work: (uow: UnitOfWork) => Promise<T>, grouped: boolean, asOutcome: boolean): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      // The work runs inside a transaction the scheduler opens, maybe with other callers' work:
      // it keeps its caller's trace (its events' trace headers, its audit entries' trace ids).
      const pending: Pending = { inbox, asOutcome, context: captureContext(), work: bindToActiveContext(work), resolve, reject };
      if (inbox) {
        const join = this.joining.get(inbox.eventId);
        if (join) {
          this.joining.delete(inbox.eventId);
          join(pending);
          return;
        }
      }
      if (!grouped) {
        void this.commit([pending]);
        return;
      }
      (inbox ? this.consumed : this.starts).queue.push(pending);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // One turn of the event loop lets everything consumed at the same moment join the group.
    setImmediate(() => {
      this.scheduled = false;
      // Runs being started and consumed messages form groups apart, each kind with its own groups
      // in flight: a group that hands events over waits for the next stages' work, and whoever
      // started a run waits for no more than its start.
      for (const lane of this.lanes) {
        const size =
          this.evenGroups && lane === this.starts
            ? Math.min(this.maxBatch, Math.ceil((lane.queue.length + lane.inFlightWorks) / this.maxConcurrentGroups))
            : this.maxBatch;
        while (lane.inFlight < this.maxConcurrentGroups && lane.queue.length > 0) {
          const group = lane.queue.splice(0, size);
          lane.inFlight += 1;
          lane.inFlightWorks += group.length;
          void this.commit(group).finally(() => {
            lane.inFlight -= 1;
            lane.inFlightWorks -= group.length;
            if (lane.queue.length > 0) this.schedule();
          });
        }
      }
    });
  }

  /** Commits the group, splitting it around whatever fails; settles every item. */
  private async commit(items: Pending[]): Promise<void> {
    let results: unknown[];
    let events: CommittedEvent[];
    let states: CurrentRunState[];
    let joined: Array<{ pending: Pending; value: unknown }>;
    try {
      // One caller's transaction is part of its trace; a group's is a trace of its own, linked to theirs.
      ({ results, events, states, joined } = await (items.length === 1
        ? inCapturedContext(items[0]!.context, () => this.commitOnce(items))
        : withSpanForMany(
            'ledger.commit',
            { 'baton.units_of_work': items.length },
            items.map((i) => i.context),
            () => this.commitOnce(items),
          )));
    } catch (error) {
      if (items.length === 1) {
        items[0]!.reject(error instanceof WorkFailed ? error.failures.get(0) : asLedgerError(error));
        return;
      }
      if (error instanceof WorkFailed) {
        for (const [i, failure] of error.failures) items[i]!.reject(failure);
        const rest = items.filter((_, i) => !error.failures.has(i));
        if (rest.length > 0) await this.commit(rest);
        return;
      }
      // The database refused the batch (a conflict, a constraint): halve it until the culprit is alone.
      const half = Math.ceil(items.length / 2);
      await this.commit(items.slice(0, half));
      await this.commit(items.slice(half));
      return;
    }
    this.cache?.committed(states);
    this.recent?.forget(states.map((s) => s.runId));
    if (events.length > 0) for (const listener of this.listeners) listener(events);
    items.forEach((item, i) => item.resolve(item.asOutcome ? outcomeOf(results[i]) : results[i]));
    for (const j of joined) j.pending.resolve(j.pending.asOutcome ? outcomeOf(j.value) : j.value);
  }

  /** Each item's result is the work's value, or SKIPPED for an event its consumer applied before. */
  private async commitOnce(items: Pending[]): Promise<GroupCommitted> {
    const session = this.singleWriter ? embeddedSessionOf(this.dataSource) : null;
    if (session) {
      const pipelined = await this.commitPipelined(items, session);
      if (pipelined) return pipelined;
    } else {
      const written = await this.commitInOneStatement(items);
      if (written) return written;
    }
    return this.commitInteractive(items);
  }

  /**
   * PostgreSQL's way: the works run first, outside any transaction (the runs' states read in one
   * query, as inside one), then everything they buffered (inbox claim, claims, transitions, run
   * heads, audit entries and their places in the sealer's queue, outbox rows) goes as one
   * statement (`oneStatement`): two round trips for the group instead of eight (BEGIN, the claim,
   * the read, four writes, COMMIT). Two writers advancing a run from the same state still conflict
   * on its transition number, as inside a transaction. Null when the group needs the interactive
   * way, as on the embedded database: a work that queries through `uow.manager` or fails, an event
   * applied before or a claimed row that exists (nothing of the statement is then written).
   */
  private async commitInOneStatement(items: Pending[]): Promise<GroupCommitted | null> {
    const states = new RunStateReader(this.dataSource.manager, true, this.recent);
    const uows = items.map(() => new UnitOfWork(OUTSIDE_TRANSACTION, states, false));
    const settled = await Promise.allSettled(items.map((item, i) => item.work(uows[i]!)));
    if (settled.some((s) => s.status === 'rejected')) return null;
    const { transitions, audit, emits, unread, outbox, writes } = this.buffered(items, uows);
    const parts: StatementPart[] = [...writes];
    if (audit.length > 0) parts.push(...auditQueuedParts(audit, 'audit'));
    if (outbox) parts.push({ name: 'outbox', statement: outbox, returns: 'id' });
    if (parts.length === 0)
      return {
        results: settled.map((s) => (s as PromiseFulfilledResult<unknown>).value),
        events: unreadEventsOf(this.service, unread),
        states: [],
        joined: [],
      };
    let row: { outbox?: Array<string | number> } | undefined;
    try {
      [row] = await runStatement<{ outbox?: Array<string | number> }>(this.dataSource.manager, oneStatement(parts));
    } catch (error) {
      const expectation = expectationOf(error);
      if (expectation === INBOX_DUPLICATE || expectation === CLAIM_TAKEN) return null;
      throw error;
    }
    const events = [
      ...(outbox
        ? committedEventsOf(
            this.service,
            emits,
            (row?.outbox ?? []).map((id) => ({ id })),
          )
        : []),
      ...unreadEventsOf(this.service, unread),
    ];
    return {
      results: settled.map((s) => (s as PromiseFulfilledResult<unknown>).value),
      events,
      states: committedStates(transitions),
      joined: [],
    };
  }

  /**
   * The embedded database's way (one session, this process its only writer): the works run first,
   * outside any transaction, so their JavaScript overlaps the database's work on the groups sent
   * before; then the whole transaction (inbox, transitions, events, audit entries and their seals)
   * goes to the database's thread as one message, sent without waiting for the groups before it to
   * answer. Null when the group needs the interactive way: a work that queries through
   * `uow.manager` or fails, or an event some consumer applied before (all rare); nothing of it is
   * then written.
   */
  private async commitPipelined(items: Pending[], session: EmbeddedSession): Promise<GroupCommitted | null> {
    const states = new RunStateReader(this.dataSource.manager, true, this.cache);
    const uows = items.map(() => new UnitOfWork(OUTSIDE_TRANSACTION, states, true));
    const settled = await Promise.allSettled(items.map((item, i) => item.work(uows[i]!)));
    // A work that failed may be a redelivered event's, which the inbox skips without running it:
    // only the interactive way, claiming the inbox first, tells the two apart.
    if (settled.some((s) => s.status === 'rejected')) return null;
    if (this.handOver && this.handOverStarts && items.every((item) => item.inbox === null)) {
      return this.commitStartsHandingOver(items, uows, states, settled, session);
    }

    const touched: string[] = [];
    const joined: Joined[] = [];
    const deferred: Deferred[] = [];
    let committed = false;
    try {
      if (this.handOver) await this.handOverEvents(items, uows, states, touched, { joined, deferred });
      const done = [...uows, ...joined.map((j) => j.uow)];
      let result: Omit<GroupCommitted, 'results' | 'joined'> | null;
      if (deferred.length === 0) {
        result = await this.sendPipelined(items, done, session);
      } else {
        // Whatever stops it (an event applied before, a work that fails in the transaction), the
        // group runs again the interactive way, its events stored and delivered as usual.
        result = await this.commitWithDeferred(items, done, deferred).catch(() => null);
      }
      if (!result) return null;
      committed = true;
      return { ...result, results: settled.map((s) => (s as PromiseFulfilledResult<unknown>).value), joined: [...joined, ...deferred] };
    } finally {
      for (const runId of touched) this.handingOverStates.delete(runId);
      if (!committed) for (const j of [...joined, ...deferred]) j.pending.reject(new HandOverDeclined('its producer did not commit'));
    }
  }

  /**
   * A group in which handed-over works query through their units of work: one interactive
   * transaction claims the inbox entries, runs those works (each run as its producer left it),
   * then writes what every work buffered, the works that ran before included (they are not run
   * again, nor are the handlers that joined them). Throws when an event of the group was applied
   * before or a work fails.
   */
  private async commitWithDeferred(
    items: Pending[],
    done: UnitOfWork[],
    deferred: Deferred[],
    extra: readonly SqlStatement[] = [],
  ): Promise<Omit<GroupCommitted, 'results' | 'joined'>> {
    return this.dataSource.transaction(async (manager) => {
      const fresh = await claimInbox(manager, items);
      if (fresh.some((f) => !f)) throw new Error('an event of the group was applied before');
      for (const statement of extra) await runExpecting(manager, statement);
      const states = new RunStateReader(manager, true, this.cache);
      for (const d of deferred) states.set(d.state);
      const uows = deferred.map(() => new UnitOfWork(manager, states, this.singleWriter));
      for (const [i, d] of deferred.entries()) d.value = await d.pending.work(uows[i]!);
      return this.writeBuffered(manager, [...done, ...uows]);
    });
  }

  /** Writes what the units of work buffered (transitions, audit entries, events) in the transaction of `manager`. */
  private async writeBuffered(manager: EntityManager, uows: readonly UnitOfWork[]): Promise<Omit<GroupCommitted, 'results' | 'joined'>> {
    // Claims of works that ran before the transaction (only those buffer them).
    for (const statement of claimStatements(uows.flatMap((u) => u.claims))) await runExpecting(manager, statement);
    const transitions = uows.flatMap((u) => u.transitions);
    for (const statement of transitionStatements(transitions)) await runStatement(manager, statement);
    const audit = uows.flatMap((u) => u.pendingAudit.splice(0));
    if (audit.length > 0) await appendAuditEntries(manager, audit, { sealInline: this.singleWriter });
    const { stored: emits, unread } = this.sortByReaders(uows.flatMap((u) => u.outgoing));
    const outbox = outboxStatement(this.service, emits);
    const events = outbox ? committedEventsOf(this.service, emits, await runStatement<OutboxIdRow>(manager, outbox)) : [];
    return { events: [...events, ...unreadEventsOf(this.service, unread)], states: committedStates(transitions) };
  }

  /**
   * Hands the events the group's consumed messages produced to their consumers here, round after
   * round (a stage's work may produce the next stage's event), and returns the works that joined.
   * An event whose consumer joins is not written: its work commits with the group's. One whose
   * consumer does not join in time, declines or fails stays in its producer's events, stored and
   * delivered as usual. Events of works with no inbox entry (runs being started) are not handed
   * over: whoever started the run waits for nothing more than its start.
   */
  private async handOverEvents(
    items: Pending[],
    uows: UnitOfWork[],
    states: RunStateReader,
    touched: string[],
    { joined, deferred }: { joined: Joined[]; deferred: Deferred[] },
    started?: StartedGroup,
  ): Promise<void> {
    let producers = started ? uows : uows.filter((_, i) => items[i]!.inbox !== null);
    // An event of a start already sent to the database is not taken out of its producer's events:
    // its row is removed with the stages' work (and a failed first delivery's retry written then).
    const stored = new Set(started ? uows : []);
    const consumed = (producer: UnitOfWork, emit: BufferedEmit, instead?: BufferedEmit) => {
      if (stored.has(producer)) {
        started!.consumed.push(emit);
        if (instead) started!.replacements.push(instead);
      } else if (instead) {
        producer.outgoing.splice(producer.outgoing.indexOf(emit), 1, instead);
      } else {
        producer.outgoing.splice(producer.outgoing.indexOf(emit), 1);
      }
    };
    for (let round = 0; round < this.maxHandOvers && producers.length > 0; round++) {
      const offers: Array<{ producer: UnitOfWork; emit: BufferedEmit; state: CurrentRunState; answer: Promise<Answer> }> = [];
      let expire!: () => void;
      const expired = new Promise<null>((resolve) => (expire = () => resolve(null)));
      const timer = setTimeout(expire, this.handOverWaitMs);
      try {
        for (const producer of producers) {
          for (const emit of producer.outgoing) {
            const state = emit.eventId && emit.runId ? await states.get(emit.runId) : null;
            const answer = state ? this.offer(emit, emit.eventId!, state, expired, touched, started?.recorded) : null;
            if (answer) offers.push({ producer, emit, state: state!, answer });
          }
        }
      } catch (error) {
        // Offered events are answered at once; a consumer that joined already is turned away.
        clearTimeout(timer);
        expire();
        for (const answer of await Promise.all(offers.map((o) => o.answer))) {
          if (answer && 'pending' in answer) answer.pending.reject(new HandOverDeclined('its producer failed'));
        }
        throw error;
      }
      const answers = await Promise.all(offers.map((o) => o.answer));
      clearTimeout(timer);
      const round: Array<{ producer: UnitOfWork; emit: BufferedEmit; state: CurrentRunState; joined: Joined }> = [];
      answers.forEach((answer, i) => {
        const { producer, emit, state } = offers[i]!;
        if (answer === null) return;
        if ('pending' in answer) {
          const uow = new UnitOfWork(OUTSIDE_TRANSACTION, states, true);
          round.push({ producer, emit, state, joined: { pending: answer.pending, uow, value: undefined } });
        } else if (answer.outcome === 'finished') {
          // Its consumer had nothing to do with it (as it saw the run): it is done, as a delivered one would be.
          consumed(producer, emit);
        } else if (answer.outcome === 'failed') {
          // Its first delivery failed: its retry or dead letter is stored in its place.
          const { routed } = answer;
          consumed(producer, emit, {
            topic: routed.topic,
            key: routed.key,
            payload: null,
            text: routed.value.toString('utf8'),
            headers: routed.headers ?? {},
            eventId: null,
            runId: null,
            checked: false,
          });
        }
      });
      const settled = await Promise.allSettled(round.map((r) => r.joined.pending.work(r.joined.uow)));
      producers = [];
      settled.forEach((s, i) => {
        const { producer, emit, state, joined: j } = round[i]!;
        if (s.status === 'rejected' && s.reason instanceof NeedsTransaction) {
          // It commits with the group all the same, run inside the group's transaction.
          consumed(producer, emit);
          deferred.push({ pending: j.pending, state, value: undefined });
          return;
        }
        if (s.status === 'rejected') {
          // Its event stays with its producer: stored, and delivered again the usual way.
          j.pending.reject(new HandOverDeclined(`its work failed: ${(s.reason as Error | null)?.message ?? String(s.reason)}`));
          return;
        }
        j.value = s.value;
        consumed(producer, emit);
        joined.push(j);
        producers.push(j.uow);
      });
    }
  }

  /**
   * Offers one event to its consumer here. Resolves to the consumer's work once it joins, to how
   * its handler ended if it ended without joining, or to null when the group stops waiting (the
   * event is then stored and delivered as usual).
   */
  private offer(
    emit: BufferedEmit,
    eventId: string,
    state: CurrentRunState,
    expired: Promise<null>,
    touched: string[],
    recorded?: Promise<void>,
  ): Promise<Answer> | null {
    let join!: (pending: Pending) => void;
    const joined = new Promise<{ pending: Pending }>((resolve) => (join = (pending) => resolve({ pending })));
    this.joining.set(eventId, join);
    this.handingOverStates.set(state.runId, state);
    touched.push(state.runId);
    const handled = this.handOver!({
      topic: emit.topic,
      key: emit.key,
      event: emit.payload,
      value: () => Buffer.from(valueOf(emit)),
      headers: emit.headers,
      checked: emit.checked,
      ...(recorded ? { recorded } : {}),
    });
    if (!handled) {
      this.joining.delete(eventId);
      return null;
    }
    return Promise.race([joined, handled, expired]).then((answer) => {
      // Not joined, and should its consumer still come to `consume` it, its work is queued like any
      // other: the state it expects, the inbox entry and the run's transition numbers let only one
      // of it and the stored event's delivery apply it.
      this.joining.delete(eventId);
      return answer;
    });
  }

  /**
   * A group of runs being started that hands their events over (`handOverStarts`). The starts go
   * to the database at once, as they are, events included; meanwhile the stages here take those
   * events (a consumer acting outside the database only once the starts have committed). The
   * stages' work then commits in a second transaction that removes the events they took, so
   * those are never delivered; should it fail, they are delivered as usual and the stages run
   * again (connector writes under the same idempotency keys). Null when the starts must run the
   * interactive way (nothing of them written, no stage given anything); throws when they failed.
   */
  private async commitStartsHandingOver(
    items: Pending[],
    uows: UnitOfWork[],
    states: RunStateReader,
    settled: PromiseSettledResult<unknown>[],
    session: EmbeddedSession,
  ): Promise<GroupCommitted | null> {
    // The events as sent, in the order their rows are written.
    const sent = uows.flatMap((u) => u.outgoing);
    const first = this.sendPipelined(items, uows, session);
    const recorded = first.then((result) => {
      if (!result) throw new HandOverDeclined('the runs are started again inside a transaction');
    });
    recorded.catch(() => undefined);
    const started: StartedGroup = { recorded, consumed: [], replacements: [] };
    const touched: string[] = [];
    const joined: Joined[] = [];
    const deferred: Deferred[] = [];
    let handedOver = false;
    try {
      // Whatever becomes of the offers, the starts' own fate decides the group's: once sent, they
      // are never run again, and if they fail, nothing the stages did is written.
      const offered = await this.handOverEvents(items, uows, states, touched, { joined, deferred }, started).then(
        () => true,
        () => false,
      );
      const starts = await first;
      if (!starts) return null;
      const results = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
      // Every stage that joined or deferred took an event, so nothing taken means nothing to commit.
      if (!offered || started.consumed.length === 0) return { ...starts, results, joined: [] };
      const events = new Map(sent.map((emit, i) => [emit, starts.events[i]!]));
      const taken = new Set(started.consumed);
      const kept = sent.filter((emit) => !taken.has(emit)).map((emit) => events.get(emit)!);

      const ids = started.consumed.map((emit) => events.get(emit)!.id);
      const removal: SqlStatement = {
        sql: `DELETE FROM baton.outbox WHERE id = ANY($1::bigint[]) RETURNING id`,
        params: [ids],
        expect: { rows: ids.length, code: STORED_GONE, message: 'a handed-over event is no longer stored' },
      };
      const done = joined.map((j) => j.uow);
      if (started.replacements.length > 0) {
        const carrier = new UnitOfWork(OUTSIDE_TRANSACTION, states, true);
        carrier.outgoing.push(...started.replacements);
        done.push(carrier);
      }
      const stages = await (
        deferred.length === 0 ? this.sendPipelined([], done, session, [removal]) : this.commitWithDeferred([], done, deferred, [removal])
      ).catch(() => null);
      if (!stages) {
        // The starts stand; what the stages took is delivered as usual.
        return { ...starts, results, joined: [] };
      }
      handedOver = true;
      return {
        events: [...kept, ...stages.events],
        states: [...starts.states, ...stages.states],
        results,
        joined: [...joined, ...deferred],
      };
    } finally {
      for (const runId of touched) this.handingOverStates.delete(runId);
      if (!handedOver) for (const j of [...joined, ...deferred]) j.pending.reject(new HandOverDeclined('its producer did not commit'));
    }
  }

  /**
   * What a group's works buffered, taken from them (audit entries are spliced out), and the
   * statements recording it: the inbox claim, expected to record every entry; the works' claims;
   * the transitions and run heads. The outbox statement stands apart: its ids are read back.
   */
  private buffered(items: readonly Pending[], uows: readonly UnitOfWork[]) {
    const transitions = uows.flatMap((u) => u.transitions);
    const audit = uows.flatMap((u) => u.pendingAudit.splice(0));
    const { stored: emits, unread } = this.sortByReaders(uows.flatMap((u) => u.outgoing));
    const inbox = items.map((item) => item.inbox).filter((e): e is InboxEntry => e !== null);
    const claim = claimInboxStatement(inbox);
    const writes: StatementPart[] = [];
    if (claim) {
      const expect = { rows: inbox.length, code: INBOX_DUPLICATE, message: 'an event was applied before' };
      writes.push({ name: 'inbox', statement: { ...claim, expect } });
    }
    claimStatements(uows.flatMap((u) => u.claims)).forEach((statement, i) => writes.push({ name: `claim_${i}`, statement }));
    transitionStatements(transitions).forEach((statement, i) => writes.push({ name: `transitions_${i}`, statement }));
    return { transitions, audit, emits, unread, outbox: outboxStatement(this.service, emits), writes };
  }

  /** The events to write, and those nobody reads (`storesOnlyWhatIsRead`), which are not written. */
  private sortByReaders(emits: BufferedEmit[]): { stored: BufferedEmit[]; unread: BufferedEmit[] } {
    const reads = this.readsEvent;
    if (!reads || emits.length === 0) return { stored: emits, unread: [] };
    const stored: BufferedEmit[] = [];
    const unread: BufferedEmit[] = [];
    for (const emit of emits) {
      const view: ReadableMessage = { topic: emit.topic, headers: emit.headers, checked: emit.checked, event: emit.payload };
      (reads(view) ? stored : unread).push(emit);
    }
    return { stored, unread };
  }

  /** Sends the works' transaction as one pipeline; null when it must run the interactive way instead. */
  private async sendPipelined(
    items: Pending[],
    uows: UnitOfWork[],
    session: EmbeddedSession,
    extra: readonly SqlStatement[] = [],
  ): Promise<Omit<GroupCommitted, 'results' | 'joined'> | null> {
    const { transitions, audit, emits, unread, outbox, writes } = this.buffered(items, uows);
    const own = writes.map((w) => w.statement);
    if (outbox) own.push(outbox);
    own.push(...extra);
    const chain = audit.length > 0 ? inlineAuditChainOf(this.dataSource, session) : null;
    let results: WorkerQueryResult[] | null = null;
    for (let attempt = 1; results === null; attempt++) {
      const statements = [...own];
      if (chain) {
        await chain.prepare(audit.length);
        // From here to the send, in one turn: the entries link to the head as it stands, and go first.
        statements.push(...chain.seal(audit, new Date()));
      }
      try {
        results = await session.send(statements, { transaction: true });
      } catch (error) {
        chain?.forget();
        const code = (error as { code?: unknown }).code;
        // Entries linked to a group sent before this one that failed: nothing of this group was
        // wrong, and its works may have acted outside the database (a ticket opened), so the same
        // writes go again, the entries linked to the head read afresh, rather than the works.
        if (code === AUDIT_HEAD_MOVED && attempt < MAX_RELINKS) continue;
        // An event applied before (or a head that keeps moving): the interactive way skips the
        // one and reads the chain's head afresh for the other.
        if (code === INBOX_DUPLICATE || code === CLAIM_TAKEN || code === STORED_GONE || code === AUDIT_HEAD_MOVED) return null;
        throw error;
      }
    }
    const events = outbox ? committedEventsOf(this.service, emits, results[own.indexOf(outbox)]!.rows as OutboxIdRow[]) : [];
    return { events: [...events, ...unreadEventsOf(this.service, unread)], states: committedStates(transitions) };
  }

  /** The group in an interactive transaction: works run inside it and may query through `uow.manager`. */
  private async commitInteractive(items: Pending[]): Promise<GroupCommitted> {
    return this.dataSource.transaction(async (manager) => {
      const fresh = await claimInbox(manager, items);
      const states = new RunStateReader(manager, true, this.cache);
      const uows = items.map((_, i) => (fresh[i] ? new UnitOfWork(manager, states, this.singleWriter) : null));
      const settled = await Promise.allSettled(items.map((item, i) => (uows[i] ? item.work(uows[i]!) : Promise.resolve(undefined))));
      // A statement that fails aborts the whole transaction: works that ran a statement after it
      // fail with "transaction aborted" and are victims, not culprits. The culprits are those that
      // failed otherwise; when there are none to name, the group is halved instead.
      const failures = new Map<number, unknown>();
      settled.forEach((s, i) => {
        if (s.status === 'rejected' && !isAbortedTransaction(s.reason)) failures.set(i, s.reason);
      });
      if (failures.size > 0) throw new WorkFailed(failures);
      if (settled.some((s) => s.status === 'rejected')) throw new Error('a statement of the group failed');
      const written = await this.writeBuffered(
        manager,
        uows.filter((u): u is UnitOfWork => u !== null),
      );
      return {
        results: settled.map((s, i) => (fresh[i] ? (s as PromiseFulfilledResult<unknown>).value : SKIPPED)),
        ...written,
        joined: [],
      };
    });
  }
}

interface GroupCommitted {
  results: unknown[];
  events: CommittedEvent[];
  states: CurrentRunState[];
  /** Works of handed-over events that committed with the group. */
  joined: Array<{ pending: Pending; value: unknown }>;
}

/** The code of a pipelined group refused because an event in it was applied before. */
const INBOX_DUPLICATE = 'baton_inbox_duplicate';

/** Times a pipelined group is sent at most while the audit chain's head moves under it (a group before it failed). */
const MAX_RELINKS = 4;

/**
 * Runs a statement with a RETURNING clause in an interactive transaction and throws its
 * expectation's message unless it wrote the rows expected, as the pipeline checks them. The rows
 * are counted in the database: TypeORM answers a DELETE or UPDATE with `[rows, count]`, an INSERT
 * with its rows.
 */
async function runExpecting(manager: EntityManager, statement: SqlStatement): Promise<void> {
  const [row] = await runStatement<{ n: number }>(manager, {
    sql: `WITH affected AS (${statement.sql}) SELECT count(*)::int AS n FROM affected`,
    params: statement.params,
  });
  if (statement.expect && row!.n !== statement.expect.rows) throw new Error(statement.expect.message);
}

/** The code of a group refused because an event it took from a start's group is no longer stored. */
const STORED_GONE = 'baton_stored_gone';

/** What a group of runs being started hands over (`RunLedger.commitStartsHandingOver`). */
interface StartedGroup {
  /** Settles once the starts have committed; rejects if they did not. */
  recorded: Promise<void>;
  /** The starts' events their consumers took (joined, finished or failed): removed with the stages' work. */
  consumed: BufferedEmit[];
  /** The retries or dead letters of those whose first delivery failed: written with the stages' work. */
  replacements: BufferedEmit[];
}

/** The code of a pipelined group refused because a row one of its works claimed exists already. */
const CLAIM_TAKEN = 'baton_claim_taken';

/**
 * One statement per table inserting the claimed rows, each expected to insert every row: a row
 * that exists already (or is claimed twice) is not inserted, and the count says so.
 */
function claimStatements(claims: ReadonlyArray<{ table: ClaimTable; values: readonly unknown[] }>): SqlStatement[] {
  const byTable = new Map<ClaimTable, Array<readonly unknown[]>>();
  for (const { table, values } of claims) {
    const rows = byTable.get(table);
    if (rows) rows.push(values);
    else byTable.set(table, [values]);
  }
  return [...byTable].map(([table, rows]) => ({
    sql: `INSERT INTO ${table.name} (${table.columns.map((c) => c.name).join(', ')})
     SELECT * FROM unnest(${table.columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})
     ON CONFLICT DO NOTHING RETURNING 1`,
    params: table.columns.map((_, i) => rows.map((row) => row[i] ?? null)),
    expect: { rows: rows.length, code: CLAIM_TAKEN, message: `a row claimed in ${table.name} exists already` },
  }));
}

/** A work run before its transaction began asked for `uow.manager`: it runs again inside one. */
class NeedsTransaction extends Error {
  constructor() {
    super('this work queries through its unit of work, so it runs inside an interactive transaction');
  }
}

/** The manager of a unit of work whose transaction has not begun: any use of it sends the group the interactive way. */
const OUTSIDE_TRANSACTION = new Proxy({} as EntityManager, {
  get(): never {
    throw new NeedsTransaction();
  },
});

function committedStates(transitions: readonly BufferedTransition[]): CurrentRunState[] {
  return transitions.map((t) => ({
    runId: t.run.runId,
    state: t.to,
    seq: t.seq,
    workflowId: t.run.workflowId,
    workflowVersion: t.run.workflowVersion,
    orgId: t.run.orgId,
  }));
}

function outcomeOf(result: unknown): LedgerOutcome<unknown> {
  return result === SKIPPED ? { outcome: 'skipped' } : { outcome: 'processed', value: result };
}

/** Records the inbox entries of a group in one statement; false for an event applied before. */
async function claimInbox(manager: EntityManager, items: readonly Pending[]): Promise<boolean[]> {
  const entries = items.map((item) => item.inbox);
  const claim = claimInboxStatement(entries);
  return claim ? claimedOf(entries, await runStatement<ClaimedRow>(manager, claim)) : entries.map(() => true);
}

interface ClaimedRow {
  consumer: string;
  event_id: string;
}

/** The statement recording a group's inbox entries; null when none has one. */
function claimInboxStatement(entries: readonly (InboxEntry | null)[]): SqlStatement | null {
  const claimed = entries.filter((e): e is InboxEntry => e !== null);
  if (claimed.length === 0) return null;
  return {
    sql: `INSERT INTO baton.inbox (consumer, event_id) SELECT * FROM unnest($1::text[], $2::uuid[])
     ON CONFLICT DO NOTHING RETURNING consumer, event_id`,
    params: columnsOf(
      claimed,
      (e) => e.consumer,
      (e) => e.eventId,
    ),
  };
}

/** Which entries the claim recorded (the rows it returned); false for an event applied before. */
function claimedOf(entries: readonly (InboxEntry | null)[], rows: readonly ClaimedRow[]): boolean[] {
  const inserted = new Set(rows.map((r) => `${r.consumer}\n${r.event_id}`));
  // The same event twice in one group: the first runs, the second is a duplicate.
  return entries.map((e) => e === null || inserted.delete(`${e.consumer}\n${e.eventId.toLowerCase()}`));
}

/** The statements appending a group's transitions and moving each run's head; none for no transitions. */
function transitionStatements(transitions: readonly BufferedTransition[]): SqlStatement[] {
  if (transitions.length === 0) return [];
  // The head of each run is its last transition in the group.
  const heads = new Map<string, BufferedTransition>();
  for (const t of transitions) heads.set(t.run.runId, t);
  const last = [...heads.values()];
  // Each multi-row statement here takes one array parameter per column (`unnest`), not one per
  // value: the embedded database's driver serialises and parses every parameter in JavaScript.
  return [
    appendRows(
      `baton.run_transition (run_id, seq, from_state, to_state, stage, workflow_id, workflow_version, org_id, cause_event_id,
                             actor, reason, detail)`,
      ['uuid', 'int', 'text', 'text', 'text', 'text', 'int', 'text', 'uuid', 'text', 'text', 'json'],
      columnsOf(
        transitions,
        (t) => t.run.runId,
        (t) => t.seq,
        (t) => t.from,
        (t) => t.to,
        (t) => t.stage,
        (t) => t.run.workflowId,
        (t) => t.run.workflowVersion,
        (t) => t.run.orgId,
        (t) => t.causeEventId,
        (t) => t.actor,
        (t) => t.reason,
        (t) => t.detail,
      ),
    ),
    {
      sql: `INSERT INTO baton.run_head AS h (run_id, seq, state, stage, workflow_id, workflow_version, org_id, since)
     SELECT run_id, seq, state, stage, workflow_id, workflow_version, org_id, now()
       FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[])
         AS t(run_id, seq, state, stage, workflow_id, workflow_version, org_id)
     ON CONFLICT (run_id) DO UPDATE SET seq = EXCLUDED.seq, state = EXCLUDED.state, stage = EXCLUDED.stage, since = EXCLUDED.since
     WHERE h.seq < EXCLUDED.seq`,
      params: columnsOf(
        last,
        (t) => t.run.runId,
        (t) => t.seq,
        (t) => t.to,
        (t) => t.stage,
        (t) => t.run.workflowId,
        (t) => t.run.workflowVersion,
        (t) => t.run.orgId,
      ),
    },
  ];
}

interface OutboxIdRow {
  id: string | number;
}

/** The statement writing a group's outgoing events to the outbox, in the order given; null for none. */
function outboxStatement(service: string, emits: readonly BufferedEmit[]): SqlStatement | null {
  if (emits.length === 0) return null;
  return {
    sql: `INSERT INTO baton.outbox (service, topic, key, value_text, headers_text)
     SELECT $1, topic, key, value_text, headers_text
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(topic, key, value_text, headers_text, n)
      ORDER BY n
     RETURNING id`,
    params: [service, emits.map((e) => e.topic), emits.map((e) => e.key), emits.map(valueOf), emits.map((e) => JSON.stringify(e.headers))],
  };
}

/** The event as JSON, made on first use: an event handed over is never written. */
function valueOf(emit: BufferedEmit): string {
  return (emit.text ??= JSON.stringify(emit.payload));
}

/** The events as committed, with the ids the outbox statement returned. */
function committedEventsOf(service: string, emits: readonly BufferedEmit[], rows: readonly OutboxIdRow[]): CommittedEvent[] {
  // Rows are inserted in the order given and take their ids from the sequence one by one, so the
  // ids in ascending order are the events' in the order given.
  const ids = rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return emits.map((e, i) => committedEventOf(service, e, String(ids[i]!)));
}

/** Events committed without being written (nobody reads them): no id. */
function unreadEventsOf(service: string, emits: readonly BufferedEmit[]): CommittedEvent[] {
  return emits.map((e) => committedEventOf(service, e, null));
}

function committedEventOf(service: string, e: BufferedEmit, id: string | null): CommittedEvent {
  return {
    id,
    service,
    topic: e.topic,
    key: e.key,
    value: valueOf(e),
    headers: e.headers,
    // Only an event `createEvent` made (JSON values, checked against its schema) is passed on as an object.
    ...(e.payload !== null && e.checked ? { event: e.payload } : {}),
  };
}

/** Consumers and tools read the event's type from a header without parsing the value. */
function eventTypeHeader(payload: unknown): Record<string, string> {
  const type = (payload as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? { [Headers.eventType]: type } : {};
}

/** PostgreSQL's "current transaction is aborted, commands ignored until end of transaction block". */
function isAbortedTransaction(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  return (e?.driverError?.code ?? e?.code) === '25P02' || /current transaction is aborted/.test(String((error as Error | null)?.message));
}

/** A transition row that lost the race for its number is a conflict, said as the ledger says it. */
function asLedgerError(error: unknown): unknown {
  if (!isUniqueViolation(error) || !/run_transition_run_seq/.test(String((error as Error).message))) return error;
  return new LedgerException(
    LedgerErrorCode.TransitionConflict,
    'the run was advanced concurrently by another writer',
    undefined,
    'conflict',
  );
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
  return code === '23505' || /duplicate key|unique constraint/i.test((error as Error).message ?? '');
}
