import { Injectable } from '@nestjs/common';
import type { ClaimTable, UnitOfWork } from '@baton/platform-database';
import { TriggerReceiptEntity } from '../persistence/trigger-receipt.entity';

/** The rows a receipt claims: its primary key is (source, dedupe_key). */
const TRIGGER_RECEIPTS: ClaimTable = {
  name: 'ingestion.trigger_receipt',
  columns: [
    { name: 'source', type: 'text' },
    { name: 'dedupe_key', type: 'text' },
    { name: 'run_id', type: 'uuid' },
  ],
};

/** Dedupe keys of triggers (ingestion.trigger_receipt); writes take the caller's unit of work. */
@Injectable()
export class TriggerReceiptRepository {
  /**
   * Records that `source`'s trigger `dedupeKey` started `runId`, or answers the run an earlier
   * trigger with the same key started. Two triggers with one key serialise on the primary key:
   * the second sees the first once it commits. Runs started together claim their keys in one
   * statement (`UnitOfWork.claim`); a key taken already sends their group the interactive way,
   * where the earlier run is read.
   */
  async claim(uow: UnitOfWork, source: string, dedupeKey: string, runId: string): Promise<{ duplicateOf: string | null }> {
    if (await uow.claim(TRIGGER_RECEIPTS, [source, dedupeKey, runId])) return { duplicateOf: null };
    const earlier = await uow.manager.getRepository(TriggerReceiptEntity).findOneByOrFail({ source, dedupeKey });
    return { duplicateOf: earlier.runId };
  }
}
