import { Injectable } from '@nestjs/common';
import { PeriodicPurgeService } from '../purge/periodic-purge.service';
import { IdempotencyKeyRepository } from './idempotency-key.repository';

/**
 * Forgets Idempotency-Keys once they expire. Until purged, an expired key is already treated as
 * unused (IdempotencyKeyRepository.claim).
 */
@Injectable()
export class IdempotencyKeyPurgeService extends PeriodicPurgeService {
  constructor(private readonly keys: IdempotencyKeyRepository) {
    super('idempotency key');
  }

  protected deleteBatch(now: Date, limit: number): Promise<number> {
    return this.keys.purge(now, limit);
  }

  protected logPurged(total: number): void {
    this.logger.log({ purged: total }, 'expired idempotency keys purged');
  }
}
