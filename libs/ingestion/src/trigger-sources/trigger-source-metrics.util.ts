import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { TriggerSourcesService, type TriggerSourceView } from './trigger-sources.service';

/**
 * Queue depth and processing lag per trigger source on the process registry, read at scrape
 * time (one read serves both gauges and scrapes less than a second apart).
 */
@Injectable()
export class TriggerSourceMetrics {
  private readonly logger = new Logger(TriggerSourceMetrics.name);
  private snapshot: { at: number; views: Promise<TriggerSourceView[]> } | null = null;

  constructor(metrics: BatonMetrics, sources: TriggerSourcesService) {
    const registers = [metrics.registry];
    const views = () => {
      const now = Date.now();
      if (!this.snapshot || now - this.snapshot.at > 1000) {
        const read = sources.list({ lastFired: false }).catch((error: Error) => {
          this.logger.warn(`trigger source figures unavailable: ${error.message}`);
          return [];
        });
        this.snapshot = { at: now, views: read };
      }
      return this.snapshot.views;
    };
    new Gauge({
      name: 'baton_trigger_queue_depth',
      help: 'Triggers waiting per source: stored webhooks not dispatched, change or ingress messages not consumed.',
      labelNames: ['kind', 'source'],
      registers,
      async collect() {
        this.reset();
        for (const view of await views()) {
          if (view.depth === null) continue;
          this.set({ kind: view.kind, source: view.source }, view.depth);
        }
      },
    });
    new Gauge({
      name: 'baton_trigger_lag_seconds',
      help: 'Processing lag per source: age of the oldest waiting webhook, or commit-to-processing time of the last record change.',
      labelNames: ['kind', 'source'],
      registers,
      async collect() {
        this.reset();
        for (const view of await views()) if (view.lagSeconds !== null) this.set({ kind: view.kind, source: view.source }, view.lagSeconds);
      },
    });
  }
}
