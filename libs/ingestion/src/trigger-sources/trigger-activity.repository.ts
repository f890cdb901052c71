import { RunTransitionEntity } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** When each trigger source last started a run, read from the shared run transitions. */
@Injectable()
export class TriggerActivityRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The latest start of a run of these workflows by this kind and name of source. One query per
   * workflow, each reading its newest transitions backwards on (workflow_id, at) until the first
   * start, so the cost does not grow with the history.
   */
  async lastFired(kind: string, source: string, workflowIds: readonly string[]): Promise<string | null> {
    let latest: Date | null = null;
    for (const workflowId of workflowIds) {
      const first = await this.dataSource
        .getRepository(RunTransitionEntity)
        .createQueryBuilder('t')
        .select('t.at')
        .where({ workflowId, seq: 1 })
        .andWhere(`t.detail -> 'source' ->> 'kind' = :kind AND t.detail -> 'source' ->> 'name' = :source`, { kind, source })
        .orderBy('t.at', 'DESC')
        .limit(1)
        .getOne();
      const at = first?.at ?? null;
      if (at && (!latest || at > latest)) latest = at;
    }
    return latest ? latest.toISOString() : null;
  }
}
