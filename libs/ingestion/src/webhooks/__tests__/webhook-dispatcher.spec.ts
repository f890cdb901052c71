import { Logger } from '@nestjs/common';
import type { DispatchWebhookUseCase } from '../dispatch-webhook.use-case';
import { IntakePressure } from '../intake-pressure.util';
import { WebhookDispatcherService } from '../webhook-dispatcher.service';
import type { ClaimedEntry, WebhookInboxRepository } from '../webhook-inbox.repository';
import type { WebhookMetrics } from '../webhook-metrics.util';
import type { WebhookSources } from '../webhook-sources.util';

/** An inbox of `pending` rows, claimed oldest first; what was claimed, and what was marked processed. */
function inboxOf(pending: number) {
  const rows = Array.from({ length: pending }, (_, i) => ({ source: 'form', webhookId: `msg_${i}`, attempts: 1, receivedAt: new Date() }));
  const claims: number[] = [];
  const processed: string[] = [];
  const inbox = {
    claim: async (limit: number) => {
      claims.push(limit);
      return rows.splice(0, limit) as unknown as ClaimedEntry[];
    },
    markProcessed: async (_source: string, webhookId: string) => void processed.push(webhookId),
    retryLater: async () => undefined,
    markFailed: async () => undefined,
  } as unknown as WebhookInboxRepository;
  return { inbox, claims, processed };
}

/** A dispatch that holds each row until released; the most rows held at once. */
function heldDispatch() {
  let running = 0;
  let most = 0;
  const release: Array<() => void> = [];
  const dispatchWebhook = {
    execute: async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise<void>((resolve) => release.push(resolve));
      running -= 1;
      return { outcome: 'processed', runIds: [] };
    },
  } as unknown as DispatchWebhookUseCase;
  return { dispatchWebhook, release, most: () => most };
}

describe(WebhookDispatcherService.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  const sources = {
    dispatcher: { batchSize: 20, leaseSeconds: 60, maxAttempts: 3, pollIntervalMs: 60_000, yieldToIntakeMs: 50 },
  } as WebhookSources;
  const metrics = { dispatchedOne: () => undefined } as unknown as WebhookMetrics;

  /** A dispatcher draining `rows` rows whose dispatches are held, once `held` of them are waiting. */
  async function drainingHeld(rows: number, held: number) {
    const { inbox, claims, processed } = inboxOf(rows);
    const { dispatchWebhook, release, most } = heldDispatch();
    const sut = new WebhookDispatcherService(inbox, dispatchWebhook, sources, metrics, new IntakePressure());
    sut.onApplicationBootstrap();
    const drained = sut.drain();
    for (let turn = 0; turn < 200 && release.length < held; turn++) await new Promise((resolve) => setTimeout(resolve, 5));
    return { sut, drained, claims, processed, release, most };
  }

  it('starts the runs of a whole batch together, so they are committed together', async () => {
    const { sut, drained, claims, processed, release, most } = await drainingHeld(20, 20);
    expect(most()).toBe(20);
    for (const go of release) go();
    await drained;
    await sut.beforeApplicationShutdown();
    expect(claims[0]).toBe(20);
    expect(processed).toHaveLength(20);
  });

  it('begins the next batch while one is being carried through, and takes every row once', async () => {
    // Two batches of 20 in flight, none of them finished.
    const { sut, drained, claims, processed, release, most } = await drainingHeld(60, 40);
    expect(most()).toBe(40);
    for (let turn = 0; turn < 400 && processed.length < 60; turn++) {
      for (const go of release.splice(0)) go();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await drained;
    await sut.beforeApplicationShutdown();
    expect(claims.slice(0, 2)).toEqual([20, 20]);
    expect([...processed].sort()).toEqual(Array.from({ length: 60 }, (_, i) => `msg_${i}`).sort());
  });

  it('takes a few rows at a time while webhooks keep coming, so acknowledgements do not wait behind a whole batch', async () => {
    const { inbox, claims, processed } = inboxOf(20);
    const intake = new IntakePressure();
    // A request being acknowledged for the whole pass: no lull comes.
    let acknowledged!: () => void;
    void intake.track(() => new Promise<void>((resolve) => (acknowledged = resolve)));
    const dispatchWebhook = { execute: async () => ({ outcome: 'processed', runIds: [] }) } as unknown as DispatchWebhookUseCase;
    const sut = new WebhookDispatcherService(inbox, dispatchWebhook, sources, metrics, intake);
    sut.onApplicationBootstrap();
    await sut.drain();
    await sut.beforeApplicationShutdown();
    acknowledged();
    expect(processed).toHaveLength(20);
    expect(Math.max(...claims)).toBeLessThan(20);
  });
});
