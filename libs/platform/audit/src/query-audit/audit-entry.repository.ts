import { auditRecordOf, sealAuditChain, verifyAuditChain, type AuditChainReport, type AuditRecord } from '@baton/platform-database';
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

const COLUMNS = 'id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at, prev_hash, hash';
/** Entries with their place in the chain, once sealed (the chain's columns are the seal's). */
const ENTRIES = 'baton.audit_log LEFT JOIN baton.audit_seal ON audit_seal.audit_id = audit_log.id';

/** Prefix of the action of an entry that records a revert; `reason.reverts` names the entry undone. */
export const REVERT_ACTION_PREFIX = 'revert:';

/** Read side of `baton.audit_log`: filtered pages by keyset on id, single entries, the chain check. */
@Injectable()
export class AuditEntryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async page(query: AuditQuery): Promise<AuditPage> {
    // Entries committed a moment ago are sealed first, so the page shows their place in the chain.
    await sealAuditChain(this.dataSource, { wait: true });
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (query.runId) add((p) => `run_id = ${p}::uuid`, query.runId);
    if (query.targetType) add((p) => `target_type = ${p}`, query.targetType);
    if (query.targetId) add((p) => `target_id = ${p}`, query.targetId);
    if (query.actor) add((p) => `actor = ${p}`, query.actor);
    if (query.from) add((p) => `at >= ${p}::timestamptz`, query.from.toISOString());
    if (query.to) add((p) => `at < ${p}::timestamptz`, query.to.toISOString());
    if (query.cursor) add((p) => `id ${query.order === 'desc' ? '<' : '>'} ${p}::bigint`, query.cursor);
    params.push(query.limit + 1);
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM ${ENTRIES} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY id ${query.order === 'desc' ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    const entries = rows.slice(0, query.limit).map((row) => viewOf(auditRecordOf(row)));
    return { entries, nextCursor: rows.length > query.limit ? entries[entries.length - 1]!.id : null };
  }

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<AuditEntryView | null> {
    const rows: Array<Record<string, unknown>> = await manager.query(`SELECT ${COLUMNS} FROM ${ENTRIES} WHERE id = $1::bigint`, [id]);
    return rows[0] ? viewOf(auditRecordOf(rows[0])) : null;
  }

  /** The entry recording the revert of `id`, if any (at most one: a unique index says so). */
  async revertOf(id: string, manager: EntityManager = this.dataSource.manager): Promise<AuditEntryView | null> {
    const rows: Array<Record<string, unknown>> = await manager.query(
      `SELECT ${COLUMNS} FROM ${ENTRIES} WHERE action LIKE '${REVERT_ACTION_PREFIX}%' AND reason ->> 'reverts' = $1`,
      [id],
    );
    return rows[0] ? viewOf(auditRecordOf(rows[0])) : null;
  }

  /** Every entry of a run, oldest first. */
  async ofRun(runId: string, manager: EntityManager = this.dataSource.manager): Promise<AuditEntryView[]> {
    const rows: Array<Record<string, unknown>> = await manager.query(`SELECT ${COLUMNS} FROM ${ENTRIES} WHERE run_id = $1::uuid ORDER BY id`, [runId]);
    return rows.map((row) => viewOf(auditRecordOf(row)));
  }

  verify(): Promise<AuditChainReport> {
    return verifyAuditChain(this.dataSource);
  }
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
