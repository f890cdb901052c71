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
      const rows: Array<{ at: Date | string }> = await this.dataSource.query(
        `SELECT at FROM baton.run_transition
          WHERE workflow_id = $1 AND seq = 1 AND detail -> 'source' ->> 'kind' = $2 AND detail -> 'source' ->> 'name' = $3
          ORDER BY at DESC LIMIT 1`,
        [workflowId, kind, source],
      );
      const at = rows[0] ? new Date(rows[0].at) : null;
      if (at && (!latest || at > latest)) latest = at;
    }
    return latest ? latest.toISOString() : null;
  }
}
