import { resolve } from 'node:path';
import { BatonMetrics } from '@baton/platform-observability';
import { WebhookMetrics } from '../webhook-metrics.util';
import type { PendingStats, WebhookInboxRepository } from '../webhook-inbox.repository';
import { WebhookSources } from '../webhook-sources.util';

const EXAMPLE = resolve(__dirname, '../../../../../config/webhook-sources.example.yaml');

/** The value a metric reports for exactly these labels (a histogram's count or bucket by its full name). */
async function valueOf(metrics: BatonMetrics, name: string, labels: Record<string, string | number>): Promise<number | undefined> {
  const metric = metrics.registry.getSingleMetric(name.replace(/_(count|bucket)$/, ''));
  const { values } = await metric!.get();
  const match = values.find(
    (v) => ((v as { metricName?: string }).metricName ?? name) === name && Object.keys(labels).every((k) => v.labels[k] === labels[k]) && Object.keys(v.labels).length === Object.keys(labels).length,
  );
  return match?.value;
}

describe(WebhookMetrics.name, () => {
  let metrics: BatonMetrics;
  let pending: PendingStats[];
  let sut: WebhookMetrics;

  beforeEach(() => {
    metrics = new BatonMetrics('ingestion-test');
    pending = [];
    const inbox = { pendingBySource: async () => pending } as unknown as WebhookInboxRepository;
    sut = new WebhookMetrics(metrics, WebhookSources.fromFile(EXAMPLE), inbox);
  });

  it('counts requests by source and outcome, and puts requests of no configured source under one label', async () => {
    sut.receivedOne('refund-form', 'accepted', 0.004);
    sut.receivedOne('refund-form', 'duplicate', 0.002);
    sut.receivedOne('nobody', 'unknown_source', 0.001);

    expect(await valueOf(metrics, 'baton_webhooks_received_total', { source: 'refund-form', outcome: 'accepted' })).toBe(1);
    expect(await valueOf(metrics, 'baton_webhooks_received_total', { source: '(unknown)', outcome: 'unknown_source' })).toBe(1);
    expect(await valueOf(metrics, 'baton_webhook_ack_duration_seconds_count', { source: 'refund-form' })).toBe(2);
    expect(await valueOf(metrics, 'baton_webhook_ack_duration_seconds_bucket', { le: 0.0025, source: 'refund-form' })).toBe(1);
    expect(sut.countersOf('refund-form')).toEqual({ received: 2, accepted: 1, duplicates: 1, rejected: 0, processed: 0, failed: 0 });
  });

  it('times dispatches but not retries', async () => {
    sut.dispatchedOne('lead-form', 'processed', 0.3);
    sut.dispatchedOne('lead-form', 'retried', 0);

    expect(await valueOf(metrics, 'baton_webhooks_dispatched_total', { source: 'lead-form', outcome: 'processed' })).toBe(1);
    expect(await valueOf(metrics, 'baton_webhooks_dispatched_total', { source: 'lead-form', outcome: 'retried' })).toBe(1);
    expect(await valueOf(metrics, 'baton_webhook_dispatch_lag_seconds_count', { source: 'lead-form' })).toBe(1);
    expect(await valueOf(metrics, 'baton_webhook_dispatch_lag_seconds_bucket', { le: 0.5, source: 'lead-form' })).toBe(1);
  });

  it('reads queue depth and lag per configured source from the inbox at scrape time, 0 where nothing waits', async () => {
    pending = [{ source: 'support-form', pending: 3, oldestPendingAgeSeconds: 12.5 }];

    expect(await valueOf(metrics, 'baton_webhook_queue_depth', { source: 'support-form' })).toBe(3);
    expect(await valueOf(metrics, 'baton_webhook_queue_depth', { source: 'refund-form' })).toBe(0);
    expect(await valueOf(metrics, 'baton_webhook_processing_lag_seconds', { source: 'support-form' })).toBe(12.5);
    expect(await valueOf(metrics, 'baton_webhook_processing_lag_seconds', { source: 'lead-form' })).toBe(0);
  });
});
