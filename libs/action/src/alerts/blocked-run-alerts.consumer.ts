import { EventTypes, Topics, type BatonEventOf } from '@baton/contracts';
import { MessageBus, subscribeToEvents, type ConsumeOutcome } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ActionAlerts } from './action-alerts.service';

export const BLOCKED_ALERTS_CONSUMER = 'baton-action-blocked-alerts';

/** Stages whose blocks this consumer announces; the action stage emails the owner itself, with the receipt on the timeline. */
const ANNOUNCED: Record<string, string> = { 'baton/enrichment': 'enrichment', 'baton/verification': 'verification' };

/**
 * Tells the workflow owner when a run is blocked before or after the action stage — a context
 * lookup refused as invalid, a read-back that disagreed with the intent — so that no stage blocks
 * a run silently. Reads run.completed in a group of its own; the email's idempotency key is the
 * event's id, so a redelivery sends nothing twice and a run blocked again after a retry is
 * announced again.
 */
@Injectable()
export class BlockedRunAlertsConsumer implements OnModuleInit {
  private readonly logger = new Logger(BlockedRunAlertsConsumer.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly catalog: WorkflowCatalog,
    private readonly alerts: ActionAlerts,
    private readonly metrics: BatonMetrics,
  ) {}

  onModuleInit(): void {
    subscribeToEvents(
      this.bus,
      {
        groupId: BLOCKED_ALERTS_CONSUMER,
        topic: Topics.runCompleted,
        eventType: EventTypes.runCompleted,
        // Most runs complete, and this consumer has nothing to say about them: on the embedded
        // bus their run.completed is then not even stored, unless another consumer reads it.
        reads: (event) => announcedStage(event) !== null,
        handle: (event) => this.handle(event),
      },
      { logger: this.logger, metrics: this.metrics },
    );
  }

  async handle(event: BatonEventOf<typeof EventTypes.runCompleted>): Promise<ConsumeOutcome> {
    const stage = announcedStage(event);
    if (!stage) return 'skipped';
    const workflow = this.catalog.get(event.workflowid);
    if (!workflow) {
      this.logger.warn({ runId: event.runid, workflowId: event.workflowid }, 'blocked run of a workflow not loaded here; no owner to tell');
      return 'skipped';
    }
    const receipt = await this.alerts.runBlocked({
      runId: event.runid,
      workflowId: workflow.id,
      workflowName: workflow.name,
      owner: workflow.owner,
      what: stage === 'enrichment' ? 'a context lookup' : 'the read-back of an action',
      reason: event.data.reason ?? `blocked at ${stage}`,
      key: event.id,
    });
    if (!receipt.sent) this.logger.warn({ runId: event.runid, to: receipt.to, error: receipt.error }, 'blocked run could not be announced');
    return 'processed';
  }
}

/** The stage whose block the event announces, or null when this consumer does not announce it. */
function announcedStage(event: BatonEventOf<typeof EventTypes.runCompleted>): string | null {
  return event.data.status === 'blocked' && Object.hasOwn(ANNOUNCED, event.source) ? ANNOUNCED[event.source]! : null;
}
