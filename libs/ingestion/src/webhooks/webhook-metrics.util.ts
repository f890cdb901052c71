import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { WebhookInboxRepository, type PendingStats } from './webhook-inbox.repository';
import { WebhookSources } from './webhook-sources.util';

export type ReceiveOutcome =
  | 'accepted'
  | 'duplicate'
  | 'unknown_source'
  | 'no_workflow_for_source'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'invalid_signature'
  | 'rate_limited'
  | 'invalid_body'
  | 'invalid_trigger'
  | 'webhook_store_unavailable'
  | 'error';
export type DispatchOutcome = 'processed' | 'failed' | 'retried';

/** Webhooks of one source counted since this process started (the admin API shows them). */
export interface SourceCounters {
  received: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  processed: number;
  failed: number;
}

/** A source label for requests naming no configured source, so labels stay a bounded set. */
const UNKNOWN = '(unknown)';

/**
 * Webhook metrics on the process registry: requests by outcome, acknowledgement latency, and per
 * source the queue depth and processing lag, read from the inbox table at scrape time so every
 * replica reports the same shared queue.
 */
@Injectable()
export class WebhookMetrics {
  private readonly logger = new Logger(WebhookMetrics.name);
  private readonly counters = new Map<string, SourceCounters>();
  private snapshot: { at: number; stats: Promise<PendingStats[]> } | null = null;

  readonly received: Counter<'source' | 'outcome'>;
  readonly ackDuration: Histogram<'source'>;
  readonly dispatched: Counter<'source' | 'outcome'>;
  readonly dispatchLag: Histogram<'source'>;

  constructor(
    metrics: BatonMetrics,
    private readonly sources: WebhookSources,
    private readonly inbox: WebhookInboxRepository,
  ) {
    const registers = [metrics.registry];
    const bySourceAndOutcome = (name: string, help: string) =>
      new Counter({ name, help, labelNames: ['source', 'outcome'] as const, registers });
    const bySource = (name: string, help: string, buckets: number[]) =>
      new Histogram({ name, help, labelNames: ['source'] as const, buckets, registers });
    this.received = bySourceAndOutcome(
      'baton_webhooks_received_total',
      'Webhook requests by source and outcome (accepted, duplicate, or why refused).',
    );
    this.ackDuration = bySource(
      'baton_webhook_ack_duration_seconds',
      'Time from receiving a webhook request to answering it, durable store included.',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    );
    this.dispatched = bySourceAndOutcome(
      'baton_webhooks_dispatched_total',
      'Stored webhooks handed to their workflows, by outcome (processed, failed, retried).',
    );
    this.dispatchLag = bySource(
      'baton_webhook_dispatch_lag_seconds',
      'Time from acknowledging a webhook to starting its runs.',
      [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
    );
    this.pendingGauge(
      'baton_webhook_queue_depth',
      'Webhooks acknowledged but not yet dispatched, per source.',
      registers,
      (s) => s.pending,
    );
    this.pendingGauge(
      'baton_webhook_processing_lag_seconds',
      'Age of the oldest webhook not yet dispatched, per source (0 when none is waiting).',
      registers,
      (s) => s.oldestPendingAgeSeconds ?? 0,
    );
  }

  /** A per-source gauge read from the inbox at scrape time; every configured source reports, 0 when it has nothing waiting. */
  private pendingGauge(name: string, help: string, registers: Registry[], valueOf: (stats: PendingStats) => number): void {
    const pending = () => this.pendingSnapshot();
    const known = () => this.sources.list().map((s) => s.name);
    new Gauge({
      name,
      help,
      labelNames: ['source'],
      registers,
      async collect() {
        const stats = await pending();
        this.reset();
        for (const name of known()) this.set({ source: name }, 0);
        for (const s of stats) this.set({ source: s.source }, valueOf(s));
      },
    });
  }

  receivedOne(source: string, outcome: ReceiveOutcome, seconds: number): void {
    const known = this.sources.get(source) !== undefined;
    const label = known ? source : UNKNOWN;
    this.received.inc({ source: label, outcome });
    this.ackDuration.observe({ source: label }, seconds);
    if (!known) return;
    const c = this.countersOf(source);
    c.received++;
    if (outcome === 'accepted') c.accepted++;
    else if (outcome === 'duplicate') c.duplicates++;
    else c.rejected++;
  }

  dispatchedOne(source: string, outcome: DispatchOutcome, lagSeconds: number): void {
    this.dispatched.inc({ source, outcome });
    if (outcome === 'retried') return;
    this.dispatchLag.observe({ source }, lagSeconds);
    const c = this.countersOf(source);
    if (outcome === 'processed') c.processed++;
    else c.failed++;
  }

  countersOf(source: string): SourceCounters {
    let c = this.counters.get(source);
    if (!c) {
      c = { received: 0, accepted: 0, duplicates: 0, rejected: 0, processed: 0, failed: 0 };
      this.counters.set(source, c);
    }
    return c;
  }

  /** One query serves both gauges of a scrape (and scrapes less than a second apart). */
  private pendingSnapshot(): Promise<PendingStats[]> {
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at > 1000) {
      const stats = this.inbox.pendingBySource().catch((error: Error) => {
        this.logger.warn(`webhook queue depth unavailable: ${error.message}`);
        return [];
      });
      this.snapshot = { at: now, stats };
    }
    return this.snapshot.stats;
  }
}
