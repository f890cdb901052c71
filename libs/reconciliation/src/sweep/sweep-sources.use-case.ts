import { ConnectorRegistry } from '@baton/connectors';
import { createEntityEvent, EventTypes, Topics } from '@baton/contracts';
import { RunLedger, type UnitOfWork } from '@baton/platform-database';
import { checkField, RECONCILED_FIELDS, type Mismatch, type ReconciledField } from '@baton/workflow';
import { Injectable, Logger } from '@nestjs/common';
import { MismatchRepository, type StoredMismatch } from '../mismatches/mismatch.repository';
import { ReconciliationMetrics } from '../reconciliation-metrics.util';
import { readAll } from './source-reader.util';

export interface SweepResult {
  /** Entities compared, over every reconciled field. */
  checked: number;
  /** The disagreements found now, as stored (open). */
  mismatches: StoredMismatch[];
  /** How many of them are new or changed and were announced on `baton.reconciliation.mismatch`. */
  announced: number;
  /** Open mismatches whose sources agree again, now cleared. */
  cleared: number;
}

/**
 * Compares every reconciled field's copies with its source of truth for every entity the truth
 * lists, and records the result in one transaction: each disagreement is stored as an open
 * mismatch (announced through the outbox when new or changed), each open mismatch whose sources
 * agree again is cleared. Reading happens before the transaction, so no connector call holds it.
 */
@Injectable()
export class SweepSourcesUseCase {
  private readonly logger = new Logger(SweepSourcesUseCase.name);
  private readonly fields: readonly ReconciledField[] = RECONCILED_FIELDS;

  constructor(
    private readonly connectors: ConnectorRegistry,
    private readonly ledger: RunLedger,
    private readonly mismatches: MismatchRepository,
    private readonly metrics: ReconciliationMetrics,
  ) {}

  async execute(): Promise<SweepResult> {
    try {
      const result = await this.sweep();
      this.metrics.sweeps.inc({ outcome: 'completed' });
      return result;
    } catch (error) {
      this.metrics.sweeps.inc({ outcome: 'failed' });
      throw error;
    }
  }

  private async sweep(): Promise<SweepResult> {
    const started = performance.now();
    const compared = await Promise.all(this.fields.map((field) => this.compare(field)));
    const swept = await this.ledger.transaction(async (uow) => {
      const result: SweepResult = { checked: 0, mismatches: [], announced: 0, cleared: 0 };
      for (const { field, found, agreeing } of compared) {
        result.checked += found.length + agreeing.length;
        for (const mismatch of found) {
          const recorded = await this.mismatches.record(uow.manager, mismatch);
          result.mismatches.push(recorded.mismatch);
          if (recorded.announce) {
            await this.announce(uow, recorded.mismatch);
            result.announced++;
          }
        }
        for (const cleared of await this.mismatches.clear(uow.manager, field.name, agreeing)) {
          result.cleared++;
          await uow.audit({
            actor: 'system:reconciliation',
            action: 'reconciliation.clear',
            targetType: 'reconciliation.mismatch',
            targetId: cleared.id,
            before: { status: 'open', truth: cleared.truth, copies: cleared.copies },
            after: { status: 'cleared' },
            reason: { reason: 'a sweep found the sources agreeing again' },
          });
        }
      }
      return result;
    });
    const { checked, mismatches, announced, cleared } = swept;
    this.logger.log(
      { checked, open: mismatches.length, announced, cleared, durationMs: Math.round(performance.now() - started) },
      'reconciliation sweep finished',
    );
    return swept;
  }

  private async compare(field: ReconciledField): Promise<{ field: ReconciledField; found: Mismatch[]; agreeing: string[] }> {
    const [truth, ...copies] = await Promise.all([field.truth, ...field.copies].map((source) => readAll(this.connectors, source)));
    const found: Mismatch[] = [];
    const agreeing: string[] = [];
    for (const [entityId, value] of truth!) {
      const held = field.copies.flatMap((source, i) =>
        copies[i]!.has(entityId) ? [{ source, value: copies[i]!.get(entityId) ?? null }] : [],
      );
      const check = checkField(field, entityId, value ?? null, held);
      if (check.mismatch) found.push(check.mismatch);
      else agreeing.push(entityId);
    }
    return { field, found, agreeing };
  }

  private async announce(uow: UnitOfWork, mismatch: StoredMismatch): Promise<void> {
    const subject = `${mismatch.field}/${mismatch.entityId}`;
    const event = createEntityEvent(
      EventTypes.reconciliationMismatch,
      subject,
      {
        field: mismatch.field,
        entityId: mismatch.entityId,
        truth: mismatch.truth,
        copies: mismatch.copies,
        mismatchId: mismatch.id,
        detectedBy: 'sweep',
      },
      { source: 'baton/reconciliation', correlationId: mismatch.id },
    );
    // Keyed by entity, so one entity's mismatches stay in order.
    await uow.emit({ topic: Topics.reconciliationMismatch, key: subject, payload: event });
  }
}
