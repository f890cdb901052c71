import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { AuditedEvent, RunMovedEvent } from './live-event.types';

/** Reads the shared append-only tables the live feed is derived from, by id. */
@Injectable()
export class LiveFeedRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest ids now: a new feed starts after them. */
  async heads(): Promise<{ run: number; audit: number }> {
    const [row]: Array<{ run: string | number; audit: string | number }> = await this.dataSource.query(
      `SELECT (SELECT coalesce(max(id), 0) FROM baton.run_transition) AS run, (SELECT coalesce(max(id), 0) FROM baton.audit_log) AS audit`,
    );
    return { run: Number(row!.run), audit: Number(row!.audit) };
  }

  /** Transitions after `after`, and those of `ids` (gaps seen earlier that may have committed since). */
  async transitions(after: number, ids: readonly number[], limit: number): Promise<RunMovedEvent[]> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT id, run_id, workflow_id, org_id, from_state, to_state, at FROM baton.run_transition
        WHERE id > $1 OR id = ANY($2::bigint[]) ORDER BY id LIMIT $3`,
      [after, ids, limit],
    );
    return rows.map((r) => ({
      kind: 'run',
      id: String(r.id),
      runId: r.run_id,
      workflowId: r.workflow_id,
      orgId: r.org_id,
      from: r.from_state ?? null,
      to: r.to_state,
      at: iso(r.at),
    }));
  }

  /** Audit entries after `after` and of `ids`, each with the organisation of its run. */
  async auditEntries(after: number, ids: readonly number[], limit: number): Promise<AuditedEvent[]> {
    const rows: Array<Record<string, any>> = await this.dataSource.query(
      `SELECT a.id, a.action, a.target_type, a.target_id, a.run_id, a.at,
              (SELECT t.org_id FROM baton.run_transition t WHERE t.run_id = a.run_id ORDER BY t.seq LIMIT 1) AS org_id
         FROM baton.audit_log a
        WHERE a.id > $1 OR a.id = ANY($2::bigint[]) ORDER BY a.id LIMIT $3`,
      [after, ids, limit],
    );
    return rows.map((r) => ({
      kind: 'audit',
      id: String(r.id),
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      runId: r.run_id ?? null,
      orgId: r.org_id ?? null,
      at: iso(r.at),
    }));
  }
}

function iso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}
