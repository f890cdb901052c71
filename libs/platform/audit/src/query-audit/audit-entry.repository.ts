import {
  AuditEntryEntity,
  auditRecordOf,
  givenFilters,
  keysetPage,
  runStatement,
  sealAuditChain,
  verifyAuditChain,
  type AuditChainReport,
  type AuditRecord,
} from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditQuery } from './audit-query.util';

/** An audit entry as the API shows it. */
export interface AuditEntryView {
  id: string;
  actor: string;
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  reason: unknown;
  runId: string | null;
  traceId: string | null;
  at: string;
  /** Null for an entry appended a moment ago and not yet sealed into the chain. */
  prevHash: string | null;
  hash: string | null;
}

export interface AuditPage {
  entries: AuditEntryView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** A run's id as PostgreSQL writes a uuid as text: the target id of every entry about a run. */
const RUN_ID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Prefix of the action of an entry that records a revert; `reason.reverts` names the entry undone. */
export const REVERT_ACTION_PREFIX = 'revert:';

/** Read side of `baton.audit_log`: filtered pages by keyset on id, single entries, the chain check. */
@Injectable()
export class AuditEntryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async page(query: AuditQuery): Promise<AuditPage> {
    // Entries committed a moment ago are sealed first, so the page shows their place in the chain.
    await sealAuditChain(this.dataSource, { wait: true });
    // An entry about a run carries that run's id in run_id (a check says so), and the target index
    // leaves run targets out: they are found through the run index. A run's id as run_id::text
    // writes it, lower-case, is the only target id such an entry can have.
    const runTarget = query.targetType === 'run' && query.targetId ? query.targetId : undefined;
    if (runTarget !== undefined && !RUN_ID_TEXT.test(runTarget)) return { entries: [], nextCursor: null };
    const entries = this.dataSource
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('a')
      .where(
        givenFilters<AuditEntryEntity>({
          runId: query.runId || runTarget,
          targetType: query.targetType || undefined,
          targetId: query.targetId || undefined,
          actor: query.actor || undefined,
        }),
      );
    // Said in the index's own words, so the planner sees that the target index holds these entries.
    if (query.targetType && query.targetType !== 'run') entries.andWhere(`a.targetType <> 'run'`);
    if (query.from) entries.andWhere('a.at >= :from', { from: query.from });
    if (query.to) entries.andWhere('a.at < :to', { to: query.to });
    const page = await keysetPage(entries, {
      key: 'id',
      order: query.order === 'desc' ? 'DESC' : 'ASC',
      cursor: query.cursor,
      limit: query.limit,
    });
    return { entries: await this.withSeals(this.dataSource.manager, page.rows), nextCursor: page.nextCursor };
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<AuditEntryView | null> {
    const entry = await manager.getRepository(AuditEntryEntity).findOneBy({ id });
    return entry ? (await this.withSeals(manager, [entry]))[0]! : null;
  }

  /** The entry recording the revert of `id`, if any (at most one: a unique index says so). */
  async revertOf(id: string, manager: EntityManager = this.dataSource.manager): Promise<AuditEntryView | null> {
    const entry = await manager
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('a')
      .where('a.action LIKE :prefix', { prefix: `${REVERT_ACTION_PREFIX}%` })
      .andWhere(`a.reason ->> 'reverts' = :id`, { id })
      .getOne();
    return entry ? (await this.withSeals(manager, [entry]))[0]! : null;
  }

  /** Every entry of a run, oldest first. */
  async ofRun(runId: string, manager: EntityManager = this.dataSource.manager): Promise<AuditEntryView[]> {
    const entries = await manager.getRepository(AuditEntryEntity).find({ where: { runId }, order: { id: 'ASC' } });
    return this.withSeals(manager, entries);
  }

  verify(): Promise<AuditChainReport> {
    return verifyAuditChain(this.dataSource);
  }

  /** The entries as the API shows them, each with its place in the chain once sealed. */
  private async withSeals(manager: EntityManager, entries: AuditEntryEntity[]): Promise<AuditEntryView[]> {
    if (entries.length === 0) return [];
    // Each entry's seal, found through the id range of the blocks that may hold it (an index).
    const seals = await runStatement<SealOfEntry>(manager, {
      sql: `SELECT q.id::text AS "auditId", s.prev_hash AS "prevHash", s.hash
         FROM unnest($1::bigint[]) AS q(id)
         CROSS JOIN LATERAL (
           SELECT CASE WHEN u.ord = 1 THEN b.prev_hash
                  ELSE encode(substring(b.hashes FROM (u.ord::int - 2) * 32 + 1 FOR 32), 'hex') END AS prev_hash,
                  encode(substring(b.hashes FROM (u.ord::int - 1) * 32 + 1 FOR 32), 'hex') AS hash
             FROM baton.audit_seal_block b, unnest(b.audit_ids) WITH ORDINALITY AS u(audit_id, ord)
            WHERE int8range(b.min_id, b.max_id, '[]') @> q.id AND u.audit_id = q.id
         ) s`,
      params: [entries.map((e) => e.id)],
    });
    const sealOf = new Map(seals.map((s) => [s.auditId, s]));
    return entries.map((entry) => viewOf(auditRecordOf(columnsOf(entry, sealOf.get(entry.id)))));
  }
}

/**
 * The entry and its seal by column, as `auditRecordOf` reads them: the one conversion of a stored
 * entry, shared with the chain's sealing and verification so what is shown is what was hashed.
 */
/** An entry's place in the chain, as the API shows it. */
interface SealOfEntry {
  auditId: string;
  prevHash: string;
  hash: string;
}

function columnsOf(entry: AuditEntryEntity, seal: SealOfEntry | undefined): Record<string, unknown> {
  return {
    id: entry.id,
    actor: entry.actor,
    action: entry.action,
    target_type: entry.targetType,
    target_id: entry.targetId,
    before: entry.before,
    after: entry.after,
    reason: entry.reason,
    run_id: entry.runId,
    trace_id: entry.traceId,
    at: entry.at,
    prev_hash: seal?.prevHash ?? null,
    hash: seal?.hash ?? null,
  };
}

export function viewOf(record: AuditRecord): AuditEntryView {
  return {
    id: record.id,
    actor: record.actor,
    action: record.action,
    target: { type: record.targetType, id: record.targetId },
    before: record.before,
    after: record.after,
    reason: record.reason,
    runId: record.runId,
    traceId: record.traceId,
    at: record.at,
    prevHash: record.prevHash,
    hash: record.hash,
  };
}
