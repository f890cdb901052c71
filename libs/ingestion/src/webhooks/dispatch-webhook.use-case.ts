import { errorMessage, isRetriable } from '@baton/platform-errors';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Injectable } from '@nestjs/common';
import { StartRunUseCase } from '../start-run/start-run.use-case';
import type { ClaimedEntry } from './webhook-inbox.repository';
import { parseWebhookBody } from './webhook-body.util';
import { WebhookSources } from './webhook-sources.util';
import { workflowsTriggeredBy } from './webhook-workflows.util';

export type DispatchResult =
  | { outcome: 'processed'; runIds: string[] }
  /** Can never succeed as stored (the source or its workflows are gone, the payload no longer fits). */
  | { outcome: 'failed'; runIds: string[]; reason: string }
  /** May succeed later (database unavailable, a conflict): the row stays pending. */
  | { outcome: 'retry'; runIds: string[]; reason: string };

/**
 * Starts the runs of one stored webhook: one per workflow whose trigger is
 * `{ type: webhook, source }`. Each start is keyed by workflow and webhook id, so dispatching
 * the same row again (a retry, a lease that ran out mid-batch) finds the runs it already
 * started instead of starting others.
 */
@Injectable()
export class DispatchWebhookUseCase {
  constructor(
    private readonly sources: WebhookSources,
    private readonly catalog: WorkflowCatalog,
    private readonly startRun: StartRunUseCase,
  ) {}

  async execute(entry: ClaimedEntry): Promise<DispatchResult> {
    const runIds: string[] = [];
    const source = this.sources.get(entry.source);
    if (!source) return { outcome: 'failed', runIds, reason: `webhook source ${entry.source} is no longer configured` };
    const workflows = workflowsTriggeredBy(this.catalog, entry.source);
    if (workflows.length === 0) return { outcome: 'failed', runIds, reason: `no workflow is triggered by webhook source ${entry.source}` };
    let trigger;
    try {
      trigger = parseWebhookBody(entry.body, source);
    } catch (error) {
      return { outcome: 'failed', runIds, reason: errorMessage(error) };
    }
    // Stored before the source was narrowed to fewer organisations: never started for another.
    if (!source.orgIds.includes(trigger.orgId)) {
      return {
        outcome: 'failed',
        runIds,
        reason:
          `source ${entry.source} may not start runs for ${JSON.stringify(trigger.orgId)} (its organisations: ` +
          `${source.orgIds.join(', ')})`,
      };
    }
    for (const workflow of workflows) {
      try {
        const started = await this.startRun.execute({
          workflowId: workflow.id,
          orgId: trigger.orgId,
          payload: trigger.payload,
          source: { kind: 'webhook', name: entry.source },
          dedupeKey: `${workflow.ref}:${entry.webhookId}`,
          actor: `webhook:${entry.source}`,
        });
        runIds.push(started.runId);
      } catch (error) {
        const reason = `${workflow.id}: ${errorMessage(error)}`;
        return isRetriable(error) ? { outcome: 'retry', runIds, reason } : { outcome: 'failed', runIds, reason };
      }
    }
    return { outcome: 'processed', runIds };
  }
}
