import { assertEvent, type BatonEventOf, type EventType } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import { RunSpanAttributes, withConsumerSpan, type BatonMetrics } from '@baton/platform-observability';
import { Logger } from '@nestjs/common';
import { decodeJson } from './event-codec.util';
import {
  HandOverDeclined,
  type ConsumeOutcome,
  type DeliveredMessage,
  type MessageBus,
  type ReadableMessage,
  type RetryPolicy,
} from './message-bus.port';

export interface EventSubscription<T extends EventType> {
  groupId: string;
  topic: string;
  eventType: T;
  retry?: Partial<RetryPolicy>;
  /** See `Subscription.takesHandOver`: the handler commits through `RunLedger.consume` alone. */
  takesHandOver?: boolean;
  /** See `Subscription.actsOutside`: the handler writes to systems outside the database. */
  actsOutside?: boolean;
  /**
   * The events of the topic the consumer acts on (see `Subscription.reads`); the others are
   * skipped without calling `handle`, and on the embedded bus not even stored when no other
   * consumer reads them. Must be pure.
   */
  reads?: (event: BatonEventOf<T>) => boolean;
  handle(event: BatonEventOf<T>, message: DeliveredMessage): Promise<ConsumeOutcome>;
}

/**
 * Subscribes a consumer to one topic with the house rules: decode and validate at the edge
 * (an invalid message is never retried: it goes to the dead-letter topic with the reason), one
 * span per message continuing the producer's trace, and one log line at the start and one at
 * the end with run id, event id and duration.
 */
export function subscribeToEvents<T extends EventType>(
  bus: MessageBus,
  subscription: EventSubscription<T>,
  deps: { logger: Logger; metrics?: BatonMetrics },
): void {
  deps.metrics?.watchConsumerLag(subscription.groupId, () => bus.lag(subscription.groupId));
  bus.subscribe({
    groupId: subscription.groupId,
    topics: [subscription.topic],
    retry: subscription.retry,
    takesHandOver: subscription.takesHandOver,
    actsOutside: subscription.actsOutside,
    // Judged only on an event `createEvent` made (checked, of this type); anything else is
    // delivered, decoded and validated first, and then judged.
    ...(subscription.reads
      ? {
          reads: (message: ReadableMessage) =>
            !message.checked || (message.event as { type?: unknown } | null)?.type !== subscription.eventType
              ? true
              : subscription.reads!(message.event as BatonEventOf<T>),
        }
      : {}),
    handle: (message) =>
      withConsumerSpan(
        message.headers,
        `${subscription.topic} process`,
        { 'messaging.destination.name': subscription.topic, 'messaging.consumer.group.name': subscription.groupId },
        async (span) => {
          const started = performance.now();
          // Asked once per message: with debug off (as it runs by default) the two lines below cost
          // nothing, not even their fields (Nest's logger copies its arguments before any level check).
          const debug = Logger.isLevelEnabled('debug');
          const fields = { topic: subscription.topic, key: message.key, attempt: message.attempt } as Record<string, unknown>;
          try {
            const decoded = message.event !== undefined ? message.event : decodeJson(message.value, subscription.topic);
            // Handed over as `createEvent` made it (checked then): only its type is checked again.
            const event =
              message.checked && (decoded as { type?: unknown } | null)?.type === subscription.eventType
                ? (decoded as BatonEventOf<T>)
                : assertEvent(decoded, subscription.eventType);
            Object.assign(fields, { runId: event.runid, eventId: event.id });
            span.setAttributes(runAttributesOf(event));
            if (debug) deps.logger.debug({ ...fields }, 'message started');
            const outcome = subscription.reads && !subscription.reads(event) ? 'skipped' : await subscription.handle(event, message);
            // Debug, like its start: at hundreds of messages a second a line each at info is the log's
            // largest cost; failures stay warnings, and counts and latencies are on the metrics.
            if (debug) deps.logger.debug({ ...fields, outcome, durationMs: Math.round(performance.now() - started) }, 'message finished');
            deps.metrics?.eventsConsumed.inc({ topic: subscription.topic, group: subscription.groupId, outcome });
            return outcome;
          } catch (error) {
            if (error instanceof HandOverDeclined) {
              // Not a failure of the message: it is stored and delivered the usual way.
              if (debug) deps.logger.debug({ ...fields, reason: errorMessage(error) }, 'hand-over declined');
              throw error;
            }
            deps.logger.warn(
              { ...fields, error: errorMessage(error), durationMs: Math.round(performance.now() - started) },
              'message failed',
            );
            deps.metrics?.eventsConsumed.inc({ topic: subscription.topic, group: subscription.groupId, outcome: 'failed' });
            throw error;
          }
        },
      ),
  });
}

/** The run the message is about, and once it is decided, how: attributes of the stage's span. */
function runAttributesOf(event: { runid: string; workflowid: string; orgid: string; data: unknown }): Record<string, string> {
  const tier = (event.data as { decision?: { tier?: unknown } } | null)?.decision?.tier;
  return {
    [RunSpanAttributes.runId]: event.runid,
    [RunSpanAttributes.workflowId]: event.workflowid,
    [RunSpanAttributes.orgId]: event.orgid,
    ...(typeof tier === 'string' ? { [RunSpanAttributes.tier]: tier } : {}),
  };
}
