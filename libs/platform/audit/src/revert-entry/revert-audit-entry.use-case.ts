import type { RunState } from '@baton/contracts';
import { ConnectorRegistry, type OperationSpec } from '@baton/connectors';
import { RunLedger, type UnitOfWork } from '@baton/platform-database';
import { withSpan } from '@baton/platform-observability';
import { classifyFailure } from '@baton/platform-runtime';
import { Injectable, Logger } from '@nestjs/common';
import { AuditErrorCode, AuditException } from '../audit.exception';
import { AuditEntryRepository, REVERT_ACTION_PREFIX, viewOf, type AuditEntryView } from '../query-audit/audit-entry.repository';

export interface RevertCommand {
  auditId: string;
  /** `person:<id>` or `system:<service>`. */
  actor: string;
  reason: string;
}

export interface RevertResult {
  /** The entry recording the revert. */
  revert: AuditEntryView;
  /** True when this revert was the last one the run needed and the run is now `reverted`. */
  runReverted: boolean;
}

/** How an audited write is undone: which compensation, with which arguments. */
interface RevertPlan {
  connector: string;
  operation: string;
  compensation: string;
  args: Record<string, unknown>;
}

/** Runs in these states still have actions or verification in flight. */
const IN_PROGRESS: ReadonlySet<RunState> = new Set(['acting', 'verifying']);

/** The key a target uses to recognise a retried revert of the same entry. */
export function revertIdempotencyKey(auditId: string): string {
  return `revert:${auditId}`;
}

/**
 * Undoes one audited action through its connector's compensation and audits the revert.
 *
 * The compensation is called before the revert is recorded, like any action: if the process
 * dies in between, the revert can be asked for again and the idempotency key `revert:<auditId>`
 * (or the compensation's own idempotence, as with voiding) keeps it from acting twice. Two
 * concurrent reverts of one entry may both call the compensation, but only one revert entry
 * commits (a unique index on `reason.reverts`); the other gets 409.
 *
 * When every revertible action of a completed run has been reverted, the run moves to
 * `reverted` in the same transaction as the last revert entry. Actions without a compensation
 * (a sent message) cannot be undone; the transition lists them as irreversible.
 */
@Injectable()
export class RevertAuditEntryUseCase {
  private readonly logger = new Logger(RevertAuditEntryUseCase.name);

  constructor(
    private readonly entries: AuditEntryRepository,
    private readonly connectors: ConnectorRegistry,
    private readonly ledger: RunLedger,
  ) {}

  async execute(command: RevertCommand): Promise<RevertResult> {
    const started = performance.now();
    this.logger.log({ auditId: command.auditId, actor: command.actor }, 'revert requested');
    const entry = await this.entries.get(command.auditId);
    if (!entry)
      throw new AuditException(AuditErrorCode.EntryNotFound, `audit entry ${command.auditId} does not exist`, undefined, 'not_found');
    const plan = this.plan(entry);
    const earlier = await this.entries.revertOf(entry.id);
    if (earlier) throw alreadyReverted(entry, earlier.id);
    if (entry.runId) {
      const run = await this.ledger.current(entry.runId);
      if (run && IN_PROGRESS.has(run.state)) {
        throw new AuditException(
          AuditErrorCode.RunInProgress,
          `run ${entry.runId} is ${run.state}; revert its actions once it has finished`,
          { runId: entry.runId, state: run.state },
          'conflict',
        );
      }
    }

    const idempotencyKey = revertIdempotencyKey(entry.id);
    const result = await this.compensate(entry, plan, idempotencyKey);
    let value: RevertResult;
    try {
      value = await this.ledger.transaction(async (uow) => {
        // Reverts of one run take turns until they commit, so the check below sees every revert of it.
        if (entry.runId) await uow.manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`baton:revert:${entry.runId}`]);
        await uow.audit({
          actor: command.actor,
          action: `${REVERT_ACTION_PREFIX}${entry.action}`,
          targetType: entry.target.type,
          targetId: entry.target.id,
          // What the audited action left is what the compensation undid.
          before: entry.after,
          after: result,
          reason: { reverts: entry.id, reason: command.reason, compensation: `${plan.connector}.${plan.compensation}`, idempotencyKey },
          runId: entry.runId,
        });
        const [record] = await uow.flushAudit();
        const runReverted = entry.runId ? await this.revertRunIfDone(uow, entry.runId, command.actor) : false;
        return { revert: viewOf(record!), runReverted };
      });
    } catch (error) {
      if (isSecondRevert(error)) throw alreadyReverted(entry, (await this.entries.revertOf(entry.id))?.id ?? null);
      throw error;
    }
    this.logger.log(
      {
        auditId: entry.id,
        revertId: value.revert.id,
        runId: entry.runId,
        runReverted: value.runReverted,
        durationMs: Math.round(performance.now() - started),
      },
      'revert recorded',
    );
    return value;
  }

  /** Why an entry cannot be reverted, or how it can. */
  private plan(entry: AuditEntryView): RevertPlan {
    const refuse = (why: string) =>
      new AuditException(
        AuditErrorCode.NotRevertible,
        `audit entry ${entry.id} cannot be reverted: ${why}`,
        { auditId: entry.id, action: entry.action },
        'unprocessable',
      );
    if (entry.action.startsWith(REVERT_ACTION_PREFIX)) throw refuse('it records a revert; a revert is not itself undone');
    const connectorName = entry.target.type;
    const operation = entry.action.startsWith(`${connectorName}.`) ? entry.action.slice(connectorName.length + 1) : null;
    if (!operation || !this.connectors.has(connectorName)) {
      throw refuse(`it is not an action entry (${entry.action} on ${entry.target.type} is not a connector call)`);
    }
    const spec: OperationSpec | undefined = this.connectors.get(connectorName).operations.find((op) => op.name === operation);
    if (!spec || spec.kind !== 'write') throw refuse(`${entry.action} is not a write of connector ${connectorName}`);
    if (!spec.compensation) throw refuse(`${entry.action} offers no compensation`);
    if (!spec.compensationArgs) throw refuse(`${entry.action} names compensation ${spec.compensation} but not how to derive its arguments`);
    const args = spec.compensationArgs(entry.after);
    if (!args) throw refuse(`the recorded result of ${entry.action} lacks what ${connectorName}.${spec.compensation} needs`);
    return { connector: connectorName, operation, compensation: spec.compensation, args };
  }

  private async compensate(entry: AuditEntryView, plan: RevertPlan, idempotencyKey: string): Promise<unknown> {
    try {
      return await withSpan(
        `revert ${plan.connector}.${plan.compensation}`,
        { 'baton.audit_id': entry.id, ...(entry.runId ? { 'baton.run_id': entry.runId } : {}) },
        () =>
          this.connectors
            .get(plan.connector)
            .call(plan.compensation, plan.args, { idempotencyKey, ...(entry.runId ? { runId: entry.runId } : {}) }),
      );
    } catch (error) {
      const failure = classifyFailure(error);
      const details = {
        auditId: entry.id,
        compensation: `${plan.connector}.${plan.compensation}`,
        failureClass: failure.failureClass,
        code: failure.code,
      };
      if (failure.failureClass === 'data') {
        throw new AuditException(
          AuditErrorCode.RevertFailed,
          `revert of audit entry ${entry.id} failed: ${failure.message}`,
          details,
          'unprocessable',
        );
      }
      throw new AuditException(
        AuditErrorCode.RevertUnavailable,
        `revert of audit entry ${entry.id} could not reach ${plan.connector}, try again later: ${failure.message}`,
        { ...details, ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}) },
        'retry',
      );
    }
  }

  /** Moves a completed run to `reverted` once every action that can be undone has been. */
  private async revertRunIfDone(uow: UnitOfWork, runId: string, actor: string): Promise<boolean> {
    const current = await uow.current(runId);
    if (current?.state !== 'completed') return false;
    const entries = await this.entries.ofRun(runId, uow.manager);
    const reverted = new Set(entries.filter((e) => e.action.startsWith(REVERT_ACTION_PREFIX)).map((e) => revertedIdOf(e)));
    const revertible: AuditEntryView[] = [];
    const irreversible: Array<{ auditId: string; action: string; why: string }> = [];
    for (const entry of entries) {
      if (entry.action.startsWith(REVERT_ACTION_PREFIX)) continue;
      try {
        this.plan(entry);
        revertible.push(entry);
      } catch (error) {
        // Entries about the run itself (run.start, run.decide...) are not actions at all.
        if (this.isActionEntry(entry)) irreversible.push({ auditId: entry.id, action: entry.action, why: (error as Error).message });
      }
    }
    if (revertible.length === 0 || revertible.some((e) => !reverted.has(e.id))) return false;
    const reason =
      `all ${revertible.length} revertible actions reverted` + (irreversible.length ? `; ${irreversible.length} cannot be undone` : '');
    await uow.transition(
      { runId, workflowId: current.workflowId, workflowVersion: current.workflowVersion, orgId: current.orgId },
      {
        to: 'reverted',
        from: ['completed'],
        stage: 'audit',
        actor,
        reason,
        detail: { reverted: revertible.map((e) => e.id), irreversible },
      },
    );
    await uow.audit({
      actor,
      action: 'run.revert',
      targetType: 'run',
      targetId: runId,
      before: { state: 'completed' },
      after: { state: 'reverted' },
      reason,
      runId,
    });
    return true;
  }

  private isActionEntry(entry: AuditEntryView): boolean {
    const connector = entry.target.type;
    if (!this.connectors.has(connector) || !entry.action.startsWith(`${connector}.`)) return false;
    const operation = entry.action.slice(connector.length + 1);
    return this.connectors.get(connector).operations.some((op) => op.name === operation && op.kind === 'write');
  }
}

function revertedIdOf(entry: AuditEntryView): string | null {
  const reverts = (entry.reason as { reverts?: unknown } | null)?.reverts;
  return typeof reverts === 'string' ? reverts : null;
}

function alreadyReverted(entry: AuditEntryView, revertId: string | null): AuditException {
  return new AuditException(
    AuditErrorCode.AlreadyReverted,
    `audit entry ${entry.id} was already reverted${revertId ? ` (audit entry ${revertId})` : ''}`,
    { auditId: entry.id, revertedBy: revertId },
    'conflict',
  );
}

/** The unique index that allows one revert entry per audited entry refused a second one. */
function isSecondRevert(error: unknown): boolean {
  return /audit_log_one_revert/.test((error as Error)?.message ?? '');
}
