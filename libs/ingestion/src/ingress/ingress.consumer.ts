import { ingressTopic } from '@baton/contracts';
import { MessageBus, decodeJson, type ConsumeOutcome, type DeliveredMessage } from '@baton/platform-messaging';
import { BatonMetrics, withConsumerSpan } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { IngestionErrorCode, IngestionException } from '../ingestion.exception';
import { StartRunUseCase } from '../start-run/start-run.use-case';
import { parseIngressMessage } from './ingress-message.util';

export const INGRESS_CONSUMER = 'baton-ingestion-ingress';

/**
 * Starts runs from plain JSON (or CloudEvents) produced onto `baton.ingress.<source>`, one topic
 * per trigger source of the loaded webhook and event workflows. A message names its
 * organisation and payload; the workflow is the one whose trigger has that source (or the one
 * it names). Without a producer id, the message's own position is the dedupe key, so a
 * redelivered message never starts a second run. What can never start a run is dead-lettered
 * with the reason.
 */
@Injectable()
export class IngressConsumer implements OnModuleInit {
  private readonly logger = new Logger(IngressConsumer.name);

  constructor(
    private readonly bus: MessageBus,
    private readonly catalog: WorkflowCatalog,
    private readonly startRun: StartRunUseCase,
    private readonly metrics: BatonMetrics,
  ) {}

  sources(): string[] {
    const sources = this.catalog
      .list()
      .filter((w) => w.trigger.type === 'webhook' || w.trigger.type === 'event')
      .map((w) => w.trigger.source);
    return [...new Set(sources)].sort();
  }

  onModuleInit(): void {
    const topics = this.sources().map(ingressTopic);
    if (topics.length === 0) return;
    this.bus.subscribe({ groupId: INGRESS_CONSUMER, topics, handle: (message) => this.handle(message) });
    this.metrics.watchConsumerLag(INGRESS_CONSUMER, () => this.bus.lag(INGRESS_CONSUMER));
  }

  async handle(message: DeliveredMessage): Promise<ConsumeOutcome> {
    const source = message.topic.slice(ingressTopic('').length);
    return withConsumerSpan(message.headers, `${message.topic} process`, { 'messaging.destination.name': message.topic }, async () => {
      const trigger = parseIngressMessage(decodeJson(message.value, message.topic));
      const candidates = this.catalog
        .list()
        .filter((w) => w.trigger.source === source && (w.trigger.type === 'webhook' || w.trigger.type === 'event'));
      const workflow = trigger.workflowId
        ? candidates.find((w) => w.id === trigger.workflowId)
        : candidates.length === 1
          ? candidates[0]
          : undefined;
      if (!workflow) {
        throw new IngestionException(
          IngestionErrorCode.WorkflowNotFound,
          trigger.workflowId
            ? `no workflow ${trigger.workflowId} is triggered by source ${source}`
            : `source ${source} triggers ${candidates.length} workflows ` +
                `(${candidates.map((w) => w.id).join(', ')}); name one with workflowId`,
          undefined,
          'reject',
        );
      }
      const result = await this.startRun.execute({
        workflowId: workflow.id,
        orgId: trigger.orgId,
        payload: trigger.payload,
        source: { kind: 'event', name: source },
        dedupeKey:
          trigger.dedupeKey ??
          `${message.topic}/${message.headers['x-baton-original-partition'] ?? message.partition}` +
            `/${message.headers['x-baton-original-offset'] ?? message.offset}`,
      });
      this.metrics.eventsConsumed.inc({
        topic: message.topic,
        group: INGRESS_CONSUMER,
        outcome: result.duplicate ? 'skipped' : 'processed',
      });
      this.logger.log({ topic: message.topic, runId: result.runId, duplicate: result.duplicate }, 'ingress message accepted');
      return result.duplicate ? 'skipped' : 'processed';
    });
  }
}
