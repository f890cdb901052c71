import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TriggerReceiptEntity } from '../persistence/trigger-receipt.entity';

/** Dedupe keys of triggers (ingestion.trigger_receipt); writes take the caller's transaction. */
@Injectable()
export class TriggerReceiptRepository {
  /**
   * Records that `source`'s trigger `dedupeKey` started `runId`, or answers the run an earlier
   * trigger with the same key started. Two triggers with one key serialise on the primary key:
   * the second sees the first once it commits.
   */
  async claim(manager: EntityManager, source: string, dedupeKey: string, runId: string): Promise<{ duplicateOf: string | null }> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(TriggerReceiptEntity)
      .values({ source, dedupeKey, runId })
      .orIgnore()
      .returning(['runId'])
      .execute();
    if ((inserted.raw as unknown[]).length > 0) return { duplicateOf: null };
    const earlier = await manager.getRepository(TriggerReceiptEntity).findOneByOrFail({ source, dedupeKey });
    return { duplicateOf: earlier.runId };
  }
}
