import { resolve } from 'node:path';
import { BatonMetrics } from '@baton/platform-observability';
import { WebhookMetrics } from '../webhook-metrics.util';
import type { PendingStats, WebhookInboxRepository } from '../webhook-inbox.repository';
import { WebhookSources } from '../webhook-sources.util';

const EXAMPLE = resolve(__dirname, '../../../../../config/webhook-sources.example.yaml');

/**
 * What one series of a metric reports, keyed by its labels (`outcome=accepted,source=a`, sorted);
 * a histogram's series are named `<metric>_count`, `<metric>_bucket` and `<metric>_sum`.
 */
async function seriesOf(metrics: BatonMetrics, series: string): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric(series.replace(/_(count|bucket|sum)$/, ''));
  const { values } = await metric!.get();
  return Object.fromEntries(
    values
      .filter((v) => ((v as { metricName?: string }).metricName ?? series) === series)
      .map((v) => [
        Object.entries(v.labels)
          .map(([k, l]) => `${k}=${l}`)
          .sort()
          .join(','),
        v.value,
      ]),
  );
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

  it('counts and times requests by source, putting requests of no configured source under one label', async () => {
    sut.receivedOne('refund-form', 'accepted', 0.004);
    sut.receivedOne('refund-form', 'duplicate', 0.002);
    sut.receivedOne('nobody', 'unknown_source', 0.001);

    expect(await seriesOf(metrics, 'baton_webhooks_received_total')).toEqual({
      'outcome=accepted,source=refund-form': 1,
      'outcome=duplicate,source=refund-form': 1,
      'outcome=unknown_source,source=(unknown)': 1,
    });
    expect(await seriesOf(metrics, 'baton_webhook_ack_duration_seconds_count')).toEqual({ 'source=refund-form': 2, 'source=(unknown)': 1 });
    expect(sut.countersOf('refund-form')).toEqual({ received: 2, accepted: 1, duplicates: 1, rejected: 0, processed: 0, failed: 0 });
  });

  it('counts every dispatch but times only those that ended', async () => {
    sut.dispatchedOne('lead-form', 'processed', 0.3);
    sut.dispatchedOne('lead-form', 'retried', 0);

    expect(await seriesOf(metrics, 'baton_webhooks_dispatched_total')).toEqual({
      'outcome=processed,source=lead-form': 1,
      'outcome=retried,source=lead-form': 1,
    });
    expect(await seriesOf(metrics, 'baton_webhook_dispatch_lag_seconds_count')).toEqual({ 'source=lead-form': 1 });
  });

  it('buckets acknowledgement and dispatch times on their own scales', async () => {
    sut.receivedOne('refund-form', 'accepted', 0.004);
    sut.dispatchedOne('lead-form', 'processed', 30);

    const ack = await seriesOf(metrics, 'baton_webhook_ack_duration_seconds_bucket');
    const lag = await seriesOf(metrics, 'baton_webhook_dispatch_lag_seconds_bucket');

    expect(Object.keys(ack).filter((k) => !k.startsWith('le=+Inf'))).toHaveLength(12);
    expect(ack['le=0.0025,source=refund-form']).toBe(0);
    expect(ack['le=0.005,source=refund-form']).toBe(1);
    expect(lag['le=10,source=lead-form']).toBe(0);
    expect(lag['le=30,source=lead-form']).toBe(1);
    expect(lag['le=3600,source=lead-form']).toBe(1);
  });

  it('reads queue depth and lag of every configured source from the inbox at scrape time, 0 where nothing waits', async () => {
    pending = [{ source: 'support-form', pending: 3, oldestPendingAgeSeconds: 12.5 }];

    expect(await seriesOf(metrics, 'baton_webhook_queue_depth')).toEqual({
      'source=refund-form': 0,
      'source=support-form': 3,
      'source=lead-form': 0,
    });
    expect(await seriesOf(metrics, 'baton_webhook_processing_lag_seconds')).toEqual({
      'source=refund-form': 0,
      'source=support-form': 12.5,
      'source=lead-form': 0,
    });
  });
});
