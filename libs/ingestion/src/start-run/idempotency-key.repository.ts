import { isoOf } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, LessThanOrEqual, type EntityManager } from 'typeorm';
import { IdempotencyKeyEntity } from '../persistence/idempotency-key.entity';

/** A key as the admin API received it, with what it is scoped to and the request it came with. */
export interface IdempotencyClaim {
  /** The principal that sent the key: keys of different callers never meet. */
  principal: string;
  /** The route template, e.g. `POST /workflows/:workflowId/runs`. */
  route: string;
  key: string;
  /** SHA-256 over method, path and body: the same key with another request is refused. */
  fingerprint: string;
  /** What the first request asked for, to say so when the key comes back with another. */
  request: Record<string, unknown>;
  /** How long the key is remembered. */
  ttlMs: number;
}

/** The first use of a key that is being used again. */
export interface PriorUse {
  fingerprint: string;
  request: Record<string, unknown>;
  runId: string;
  createdAt: string;
  expiresAt: string;
}

/** Idempotency keys of the admin API (ingestion.idempotency_key); writes take the caller's transaction. */
@Injectable()
export class IdempotencyKeyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records the key for `runId`, or answers its live first use. An expired row that was not purged
   * yet is taken over, as if it were gone. Two requests with one key serialise on the primary key:
   * the second sees the first once it commits.
   */
  async claim(manager: EntityManager, claim: IdempotencyClaim, runId: string): Promise<PriorUse | null> {
    // Raw SQL, kept: an upsert that takes over only an expired row (DO UPDATE ... WHERE), which
    // TypeORM's query builder cannot say.
    const taken = await manager.query<Array<{ run_id: string }>>(
      `INSERT INTO ingestion.idempotency_key (principal, route, key, fingerprint, request, run_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
       ON CONFLICT (principal, route, key) DO UPDATE
         SET fingerprint = EXCLUDED.fingerprint, request = EXCLUDED.request, run_id = EXCLUDED.run_id,
             created_at = now(), expires_at = EXCLUDED.expires_at
         WHERE ingestion.idempotency_key.expires_at <= now()
       RETURNING run_id`,
      [claim.principal, claim.route, claim.key, claim.fingerprint, JSON.stringify(claim.request), runId, claim.ttlMs / 1000],
    );
    if (taken.length > 0) return null;
    const row = await manager
      .getRepository(IdempotencyKeyEntity)
      .findOneByOrFail({ principal: claim.principal, route: claim.route, key: claim.key });
    return {
      fingerprint: row.fingerprint,
      request: row.request,
      runId: row.runId,
      createdAt: isoOf(row.createdAt),
      expiresAt: isoOf(row.expiresAt),
    };
  }

  /** Deletes up to `limit` keys expired before `now`; returns how many. */
  async purge(now: Date, limit: number): Promise<number> {
    const keys = this.dataSource.getRepository(IdempotencyKeyEntity);
    const expired = keys
      .createQueryBuilder('k')
      .subQuery()
      .select('k.principal, k.route, k.key')
      .from(IdempotencyKeyEntity, 'k')
      .where({ expiresAt: LessThanOrEqual(now) })
      .limit(limit);
    const result = await keys
      .createQueryBuilder()
      .delete()
      .where(`(principal, route, key) IN ${expired.getQuery()}`)
      .setParameters(expired.getParameters())
      .returning(['key'])
      .execute();
    return Array.isArray(result.raw) ? result.raw.length : 0;
  }
}
