import { errorMessage } from '@baton/platform-errors';
import { jitteredBackoffDelayMs, type Backoff } from '@baton/platform-messaging';
import { withConsumerSpan } from '@baton/platform-observability';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { DispatchWebhookUseCase } from './dispatch-webhook.use-case';
import { IntakePressure } from './intake-pressure.util';
import { WebhookInboxRepository, type ClaimedEntry } from './webhook-inbox.repository';
import { WebhookMetrics } from './webhook-metrics.util';
import { WebhookSources } from './webhook-sources.util';

/**
 * Drains the webhook inbox in the background: leases due pending rows, oldest first, and starts
 * their runs. Woken at once by every accepted webhook in this process, and polled as a safety
 * net for rows another replica or a previous process stored. Acknowledging never waits for it,
 * which is what keeps the 202 fast while downstream stages are slow or stalled.
 */
@Injectable()
export class WebhookDispatcherService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcherService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private paused = false;

  constructor(
    private readonly inbox: WebhookInboxRepository,
    private readonly dispatchWebhook: DispatchWebhookUseCase,
    private readonly sources: WebhookSources,
    private readonly metrics: WebhookMetrics,
    private readonly intake: IntakePressure,
  ) {}

  onApplicationBootstrap(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.sources.dispatcher.pollIntervalMs);
    this.timer.unref();
    this.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Asks for a pass; kicks while one runs coalesce into one more. */
  kick(): void {
    if (this.stopped || this.paused) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  /**
   * Stops dispatching after the batch in hand (webhooks are still accepted and stored); resolves
   * once that batch is done.
   */
  async pause(): Promise<void> {
    this.paused = true;
    await this.running;
  }

  resume(): void {
    this.paused = false;
    this.kick();
  }

  get state(): { paused: boolean; dispatching: boolean } {
    return { paused: this.paused, dispatching: this.running !== null };
  }

  /** Resolves when no due row is left (tests, and callers that need the runs started). */
  async drain(): Promise<void> {
    this.kick();
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      // Batches in flight at once: a batch's runs are started, and carried through the stages
      // here, while the next batch is leased and begun (leases keep their rows apart).
      const outcomes = await Promise.all(Array.from({ length: BATCHES_IN_FLIGHT }, () => this.passes()));
      if (outcomes.includes(false)) return;
    } while (this.again && !this.stopped && !this.paused);
  }

  /** Passes until no due row is left; false when one failed (the next poll tries again). */
  private async passes(): Promise<boolean> {
    try {
      while (!this.stopped && !this.paused && (await this.pass()) > 0);
      return true;
    } catch (error) {
      this.logger.warn(`webhook dispatch pass failed, will retry on the next poll: ${errorMessage(error)}`);
      return false;
    }
  }

  private async pass(): Promise<number> {
    const { batchSize, leaseSeconds, yieldToIntakeMs } = this.sources.dispatcher;
    // While webhooks keep coming, a few rows at a time, so acknowledgements do not wait behind a
    // whole batch of runs being started; in a lull, the whole batch.
    const quiet = yieldToIntakeMs > 0 ? await this.yieldToIntake(yieldToIntakeMs) : true;
    const batch = await this.inbox.claim(quiet ? batchSize : Math.min(batchSize, BUSY_BATCH), leaseSeconds);
    if (this.stopped) {
      // Shutting down: hand the batch back now instead of when the lease ends.
      for (const entry of batch) await this.inbox.retryLater(entry.source, entry.webhookId, 0, null);
      return batch.length;
    }
    // The rows of a batch are dispatched together: the runs they start are committed together.
    await Promise.all(batch.map((entry) => this.dispatch(entry)));
    return batch.length;
  }

  /**
   * Back-to-back transactions on in-process PGlite hardly give sockets and timers a turn (seen:
   * a burst of requests stuck before their handlers for a whole batch), so a macrotask turn
   * first lets incoming requests reach their handlers, then the lull lets them finish.
   */
  private async yieldToIntake(maxWaitMs: number): Promise<boolean> {
    await new Promise((resolve) => setImmediate(resolve));
    return this.intake.lull(QUIET_MS, maxWaitMs);
  }

  /** One stored webhook, in a span continuing the trace of the request that delivered it. */
  private dispatch(entry: ClaimedEntry): Promise<void> {
    const attributes = { 'baton.webhook.source': entry.source, 'baton.webhook.id': entry.webhookId };
    return withConsumerSpan(entry.trace, 'webhook.dispatch', attributes, () => this.dispatchInSpan(entry));
  }

  private async dispatchInSpan(entry: ClaimedEntry): Promise<void> {
    const started = Date.now();
    const { source, webhookId } = entry;
    this.logger.debug({ source, webhookId, attempt: entry.attempts }, 'webhook dispatch started');
    const result = await this.dispatchWebhook.execute(entry);
    const lagSeconds = (Date.now() - entry.receivedAt.getTime()) / 1000;
    const durationMs = Date.now() - started;
    if (result.outcome === 'processed') {
      await this.inbox.markProcessed(source, webhookId, result.runIds);
      this.metrics.dispatchedOne(source, 'processed', lagSeconds);
      this.logger.log({ source, webhookId, runIds: result.runIds, durationMs }, 'webhook dispatched');
      return;
    }
    const { maxAttempts } = this.sources.dispatcher;
    if (result.outcome === 'failed' || entry.attempts >= maxAttempts) {
      const reason = result.outcome === 'failed' ? result.reason : `gave up after ${entry.attempts} attempts: ${result.reason}`;
      await this.inbox.markFailed(source, webhookId, reason, result.runIds);
      this.metrics.dispatchedOne(source, 'failed', lagSeconds);
      this.logger.error({ source, webhookId, runIds: result.runIds, durationMs, reason }, 'webhook dispatch failed');
      return;
    }
    const delayMs = jitteredBackoffDelayMs(DISPATCH_BACKOFF, entry.attempts);
    await this.inbox.retryLater(source, webhookId, delayMs, result.reason);
    this.metrics.dispatchedOne(source, 'retried', lagSeconds);
    this.logger.warn({ source, webhookId, durationMs, reason: result.reason, retryInMs: delayMs }, 'webhook dispatch will be retried');
  }
}

/** How long without an incoming webhook counts as a lull. */
const QUIET_MS = 20;

/** Dispatch batches in flight at once. */
const BATCHES_IN_FLIGHT = 2;

/** Rows claimed at a time while webhooks keep coming (no lull within `yieldToIntakeMs`). */
const BUSY_BATCH = 5;

/** Exponential from one second, capped at five minutes, jittered so replicas spread out. */
const DISPATCH_BACKOFF: Backoff = { initialDelayMs: 1000, maxDelayMs: 300_000 };
