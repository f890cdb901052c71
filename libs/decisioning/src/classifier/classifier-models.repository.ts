import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface ClassifierModelSummary {
  workflowId: string;
  version: number;
  modelId: string;
  createdAt: string;
  createdBy: string;
  source: string;
  metrics: Record<string, unknown>;
  thresholds: { auto: number; suggest: number; targetPrecision: number };
  active: boolean;
}

/** Classifier versions in the decisioning schema; the serialised model is read only when needed. */
@Injectable()
export class ClassifierModelsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertActive(manager: EntityManager, row: Omit<ClassifierModelSummary, 'version' | 'createdAt' | 'active'> & { model: string }): Promise<number> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('classifier:' || $1))`, [row.workflowId]);
    const [{ next }] = await manager.query(`SELECT coalesce(max(version), 0) + 1 AS next FROM decisioning.classifier_model WHERE workflow_id = $1`, [row.workflowId]);
    await manager.query(`UPDATE decisioning.classifier_model SET active = false WHERE workflow_id = $1 AND active`, [row.workflowId]);
    await manager.query(
      `INSERT INTO decisioning.classifier_model (workflow_id, version, model_id, created_by, source, metrics, thresholds, model, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)`,
      [row.workflowId, next, row.modelId, row.createdBy, row.source, JSON.stringify(row.metrics), JSON.stringify(row.thresholds), row.model],
    );
    return Number(next);
  }

  async activeVersion(workflowId: string): Promise<number | null> {
    const rows: Array<{ version: number }> = await this.dataSource.query(
      `SELECT version FROM decisioning.classifier_model WHERE workflow_id = $1 AND active`,
      [workflowId],
    );
    return rows[0] ? Number(rows[0].version) : null;
  }

  async load(workflowId: string, version: number): Promise<(ClassifierModelSummary & { model: string }) | null> {
    const rows: any[] = await this.dataSource.query(`SELECT * FROM decisioning.classifier_model WHERE workflow_id = $1 AND version = $2`, [workflowId, version]);
    return rows[0] ? { ...toSummary(rows[0]), model: rows[0].model } : null;
  }

  async list(workflowId: string): Promise<ClassifierModelSummary[]> {
    const rows: any[] = await this.dataSource.query(
      `SELECT workflow_id, version, model_id, created_at, created_by, source, metrics, thresholds, active
         FROM decisioning.classifier_model WHERE workflow_id = $1 ORDER BY version DESC`,
      [workflowId],
    );
    return rows.map(toSummary);
  }
}

function toSummary(r: any): ClassifierModelSummary {
  return {
    workflowId: r.workflow_id,
    version: Number(r.version),
    modelId: r.model_id,
    createdAt: new Date(r.created_at).toISOString(),
    createdBy: r.created_by,
    source: r.source,
    metrics: r.metrics,
    thresholds: r.thresholds,
    active: r.active,
  };
}
