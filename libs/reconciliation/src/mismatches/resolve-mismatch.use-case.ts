import { ConnectorRegistry } from '@baton/connectors';
import { RunLedger } from '@baton/platform-database';
import { reconciledField, sameValue, sourceLabel, writeArgs, type FieldSource } from '@baton/workflow';
import { Injectable, Logger } from '@nestjs/common';
import { ReconciliationErrorCode, ReconciliationException } from '../reconciliation.exception';
import { readOne, sourceFailure } from '../sweep/source-reader.util';
import { MismatchRepository, type StoredMismatch } from './mismatch.repository';

export interface ResolveMismatchCommand {
  mismatchId: string;
  /** `person:<id>` of the operator. */
  actor: string;
  reason: string;
}

interface CopyWrite {
  source: string;
  before: unknown;
  after: unknown;
  idempotencyKey: string;
}

/** The key a copy recognises a retried write-back of the same mismatch by. */
export function resolveIdempotencyKey(mismatchId: string, source: FieldSource): string {
  return `reconcile:${mismatchId}:${sourceLabel(source)}`;
}

/**
 * An operator resolves a mismatch: the source of truth's current value (read again: the stored
 * one may be older) is written to every copy that still disagrees, through its connector, with
 * an idempotency key from the mismatch, and read back. Then, in one transaction, the mismatch is
 * marked resolved and audited with the operator as actor: one entry per copy written (revertible
 * through the audit API: its result carries what undoes it) and one for the resolution itself.
 *
 * As with actions, the write happens before the record: if the process dies in between, resolving
 * again repeats the write under the same key, which the copy answers without changing anything.
 */
@Injectable()
export class ResolveMismatchUseCase {
  private readonly logger = new Logger(ResolveMismatchUseCase.name);

  constructor(
    private readonly mismatches: MismatchRepository,
    private readonly connectors: ConnectorRegistry,
    private readonly ledger: RunLedger,
  ) {}

  async execute(command: ResolveMismatchCommand): Promise<StoredMismatch> {
    const mismatch = await this.mismatches.get(command.mismatchId);
    if (!mismatch)
      throw new ReconciliationException(
        ReconciliationErrorCode.MismatchNotFound,
        `mismatch ${command.mismatchId} does not exist`,
        undefined,
        'not_found',
      );
    if (mismatch.status !== 'open') throw notOpen(mismatch);
    const field = reconciledField(mismatch.field);
    if (!field) {
      throw new ReconciliationException(
        ReconciliationErrorCode.UnknownField,
        `${mismatch.field} is no longer a reconciled field`,
        { field: mismatch.field },
        'unprocessable',
      );
    }

    const truth = await readOne(this.connectors, field.truth, mismatch.entityId);
    if (!truth) {
      throw new ReconciliationException(
        ReconciliationErrorCode.TruthMissing,
        `${sourceLabel(field.truth)}, the source of truth, no longer holds ${mismatch.entityId}: there is no value to write`,
        { mismatchId: mismatch.id },
        'unprocessable',
      );
    }
    const writes: CopyWrite[] = [];
    const results: unknown[] = [];
    for (const source of field.copies) {
      const copy = await readOne(this.connectors, source, mismatch.entityId);
      if (!copy || sameValue(copy.value, truth.value)) continue;
      if (!source.write) {
        throw new ReconciliationException(
          ReconciliationErrorCode.CopyNotWritable,
          `${sourceLabel(source)} offers no write: correct it in that system, then sweep again`,
          { mismatchId: mismatch.id, source: sourceLabel(source) },
          'unprocessable',
        );
      }
      const idempotencyKey = resolveIdempotencyKey(mismatch.id, source);
      try {
        results.push(
          await this.connectors
            .get(source.connector)
            .call(source.write.operation, writeArgs(source, mismatch.entityId, truth.value), { idempotencyKey }),
        );
      } catch (error) {
        throw sourceFailure(error, source);
      }
      const readBack = await readOne(this.connectors, source, mismatch.entityId);
      if (!readBack || !sameValue(readBack.value, truth.value)) {
        throw new ReconciliationException(
          ReconciliationErrorCode.WriteNotConfirmed,
          `${sourceLabel(source)} reads ${JSON.stringify(readBack?.value ?? null)} after writing ${JSON.stringify(truth.value)}`,
          { mismatchId: mismatch.id, source: sourceLabel(source) },
          'unprocessable',
        );
      }
      writes.push({ source: sourceLabel(source), before: copy.value, after: truth.value, idempotencyKey });
    }

    const recorded = await this.ledger.transaction(async (uow) => {
      const resolved = await this.mismatches.resolve(uow.manager, mismatch.id, command.actor, {
        reason: command.reason,
        truth: { source: sourceLabel(field.truth), value: truth.value },
        writes,
      });
      if (!resolved) throw notOpen((await this.mismatches.get(mismatch.id, uow.manager)) ?? mismatch);
      for (const [i, write] of writes.entries()) {
        const source = field.copies.find((c) => sourceLabel(c) === write.source)!;
        await uow.audit({
          actor: command.actor,
          action: `${source.connector}.${source.write!.operation}`,
          targetType: source.connector,
          targetId: mismatch.entityId,
          before: { [source.field]: write.before },
          after: results[i],
          reason: { mismatchId: mismatch.id, reason: command.reason, idempotencyKey: write.idempotencyKey },
        });
      }
      await uow.audit({
        actor: command.actor,
        action: 'reconciliation.resolve',
        targetType: 'reconciliation.mismatch',
        targetId: mismatch.id,
        before: { status: 'open', field: mismatch.field, entityId: mismatch.entityId, truth: mismatch.truth, copies: mismatch.copies },
        after: { status: 'resolved', truth: resolved.resolution?.['truth'], writes },
        reason: { reason: command.reason },
      });
      return resolved;
    });
    this.logger.log(
      { mismatchId: mismatch.id, field: mismatch.field, entityId: mismatch.entityId, actor: command.actor, written: writes.length },
      'mismatch resolved',
    );
    return recorded;
  }
}

function notOpen(mismatch: StoredMismatch): ReconciliationException {
  return new ReconciliationException(
    ReconciliationErrorCode.MismatchNotOpen,
    `mismatch ${mismatch.id} is ${mismatch.status}${mismatch.resolvedBy ? ` (by ${mismatch.resolvedBy})` : ''}`,
    { status: mismatch.status },
    'conflict',
  );
}
