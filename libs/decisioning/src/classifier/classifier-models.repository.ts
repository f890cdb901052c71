import { insertValues, isoOf } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type FindOptionsSelect } from 'typeorm';
import { ClassifierModelEntity } from '../persistence/classifier-model.entity';
import type { ClassifierModelSummary } from './classifier-model.types';

export type { ClassifierModelSummary } from './classifier-model.types';

/** Every column but the serialised model, which only `load` reads. */
const SUMMARY_SELECT: FindOptionsSelect<ClassifierModelEntity> = {
  workflowId: true,
  version: true,
  modelId: true,
  createdAt: true,
  createdBy: true,
  source: true,
  metrics: true,
  thresholds: true,
  active: true,
};

/** Classifier versions in the decisioning schema; the serialised model is read only when needed. */
@Injectable()
export class ClassifierModelsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Stores a new version of the workflow's classifier as its active one; returns the version. */
  async insertActive(
    manager: EntityManager,
    row: Omit<ClassifierModelSummary, 'version' | 'createdAt' | 'active'> & { model: string },
  ): Promise<number> {
    // Two trainings of one workflow at once would take the same next version.
    await manager.query<unknown[]>(`SELECT pg_advisory_xact_lock(hashtext('classifier:' || $1))`, [row.workflowId]);
    const models = manager.getRepository(ClassifierModelEntity);
    const latest = await models
      .createQueryBuilder('m')
      .select('coalesce(max(m.version), 0)::int', 'latest')
      .where({ workflowId: row.workflowId })
      .getRawOne<{ latest: number }>();
    const version = Number(latest?.latest ?? 0) + 1;
    await models.update({ workflowId: row.workflowId, active: true }, { active: false });
    await models
      .createQueryBuilder()
      .insert()
      .values(insertValues<ClassifierModelEntity>({ ...row, version, active: true }))
      .execute();
    return version;
  }

  async activeVersion(workflowId: string): Promise<number | null> {
    const row = await this.dataSource
      .getRepository(ClassifierModelEntity)
      .findOne({ select: { version: true }, where: { workflowId, active: true } });
    return row ? row.version : null;
  }

  async load(workflowId: string, version: number): Promise<(ClassifierModelSummary & { model: string }) | null> {
    const row = await this.dataSource.getRepository(ClassifierModelEntity).findOneBy({ workflowId, version });
    return row ? { ...summaryOf(row), model: row.model } : null;
  }

  async list(workflowId: string): Promise<ClassifierModelSummary[]> {
    const rows = await this.dataSource
      .getRepository(ClassifierModelEntity)
      .find({ select: SUMMARY_SELECT, where: { workflowId }, order: { version: 'DESC' } });
    return rows.map(summaryOf);
  }
}

/** The one mapping of a stored version to what the API shows. */
function summaryOf(row: ClassifierModelEntity): ClassifierModelSummary {
  return {
    workflowId: row.workflowId,
    version: row.version,
    modelId: row.modelId,
    createdAt: isoOf(row.createdAt),
    createdBy: row.createdBy,
    source: row.source,
    metrics: row.metrics,
    thresholds: row.thresholds,
    active: row.active,
  };
}
