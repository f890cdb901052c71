import { canTransition, type RunRef, type RunState } from '@baton/contracts';
import { DomainException } from '@baton/platform-errors';
import { injectTraceHeaders } from '@baton/platform-observability';
import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEntries, pendingAuditEntry, type AuditInput, type PendingAuditEntry } from './audit-append.util';
import type { AuditRecord } from './audit-chain.util';

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

export interface CurrentRunState {
  runId: string;
  state: RunState;
  seq: number;
  workflowId: string;
  workflowVersion: number;
  orgId: string;
}

/**
 * The work of one message, in one transaction: state transitions, audit entries and outgoing
 * events commit together or not at all (transactional outbox).
 */
export class UnitOfWork {
  readonly emitted: OutboxInput[] = [];
  private readonly pendingAudit: PendingAuditEntry[] = [];

  constructor(
    readonly manager: EntityManager,
    private readonly service: string,
  ) {}

  async current(runId: string): Promise<CurrentRunState | null> {
    return currentState(this.manager, runId);
  }

  /**
   * Appends the next transition of a run. The row number is the previous one plus one and is
   * unique per run, so of two writers advancing the run from the same state only one commits.
   */
  async transition(run: RunRef, input: TransitionInput): Promise<CurrentRunState> {
    const current = await currentState(this.manager, run.runId);
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
    try {
      await this.manager.query(
        `INSERT INTO baton.run_transition
          (run_id, seq, from_state, to_state, stage, workflow_id, workflow_version, org_id, cause_event_id, actor, reason, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          run.runId,
          seq,
          from,
          input.to,
          input.stage,
          run.workflowId,
          run.workflowVersion,
          run.orgId,
          input.causeEventId ?? null,
          input.actor ?? `system:${input.stage}`,
          input.reason ?? null,
          JSON.stringify(input.detail ?? {}),
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new LedgerException(
          LedgerErrorCode.TransitionConflict,
          `run ${run.runId} was advanced concurrently from ${from ?? 'not started'}`,
          { runId: run.runId },
          'conflict',
        );
      }
      throw error;
    }
    return { runId: run.runId, state: input.to, seq, workflowId: run.workflowId, workflowVersion: run.workflowVersion, orgId: run.orgId };
  }

  /**
   * Records an audit entry. Entries are appended to the hash chain when the unit of work ends
   * (or at `flushAudit`), all of them with one lock and one INSERT, so the chain lock is held
   * only for the last moments of the transaction. The trace id is taken now, from the active span.
   */
  async audit(entry: AuditInput): Promise<void> {
    this.pendingAudit.push(pendingAuditEntry(entry));
  }

  /** Appends the entries recorded so far and returns them as stored (ids, time, hashes). */
  async flushAudit(): Promise<AuditRecord[]> {
    return appendAuditEntries(this.manager, this.pendingAudit.splice(0));
  }

  async emit(message: OutboxInput): Promise<void> {
    await this.manager.query(`INSERT INTO baton.outbox (service, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)`, [
      this.service,
      message.topic,
      message.key,
      JSON.stringify(message.payload),
      // The active trace travels with the event, so one run is one trace across services.
      JSON.stringify({ ...injectTraceHeaders(), ...message.headers }),
    ]);
    this.emitted.push(message);
  }
}

export type LedgerOutcome<T> = { outcome: 'processed'; value: T } | { outcome: 'skipped' };

/** Entry point for state changes: one transaction per handled message, deduplicated by event id. */
export class RunLedger {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly service: string,
  ) {}

  /**
   * Runs `work` in a transaction. With `inbox`, the event id is recorded for the consumer in the
   * same transaction; if it was already recorded, nothing runs and the outcome is `skipped`.
   */
  async apply<T>(
    inbox: { consumer: string; eventId: string } | null,
    work: (uow: UnitOfWork) => Promise<T>,
  ): Promise<LedgerOutcome<T>> {
    const result = await this.dataSource.transaction(async (manager) => {
      if (inbox) {
        const rows: unknown[] = await manager.query(
          `INSERT INTO baton.inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING event_id`,
          [inbox.consumer, inbox.eventId],
        );
        if (rows.length === 0) return { outcome: 'skipped' as const };
      }
      const uow = new UnitOfWork(manager, this.service);
      const value = await work(uow);
      await uow.flushAudit();
      return { outcome: 'processed' as const, value, emitted: uow.emitted.length };
    });
    if (result.outcome === 'processed' && result.emitted > 0) for (const listener of this.listeners) listener();
    return result.outcome === 'processed' ? { outcome: 'processed', value: result.value } : result;
  }

  async current(runId: string): Promise<CurrentRunState | null> {
    return currentState(this.dataSource.manager, runId);
  }

  /** Called after a commit that wrote outbox rows, so the relay publishes without waiting to poll. */
  onCommitWithEvents(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

async function currentState(manager: EntityManager, runId: string): Promise<CurrentRunState | null> {
  const rows: Array<{ seq: number; to_state: RunState; workflow_id: string; workflow_version: number; org_id: string }> =
    await manager.query(
      `SELECT seq, to_state, workflow_id, workflow_version, org_id FROM baton.run_transition
        WHERE run_id = $1 ORDER BY seq DESC LIMIT 1`,
      [runId],
    );
  const row = rows[0];
  if (!row) return null;
  return {
    runId,
    state: row.to_state,
    seq: Number(row.seq),
    workflowId: row.workflow_id,
    workflowVersion: Number(row.workflow_version),
    orgId: row.org_id,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
  return code === '23505' || /duplicate key|unique constraint/i.test((error as Error).message ?? '');
}
