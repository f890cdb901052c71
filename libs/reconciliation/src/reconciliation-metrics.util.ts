import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { MismatchRepository } from './mismatches/mismatch.repository';

/** Reconciliation on the process registry: open mismatches by field (read at scrape time), sweeps by outcome. */
@Injectable()
export class ReconciliationMetrics {
  private readonly logger = new Logger(ReconciliationMetrics.name);
  readonly sweeps: Counter<'outcome'>;

  constructor(metrics: BatonMetrics, mismatches: MismatchRepository) {
    const registers = [metrics.registry];
    this.sweeps = new Counter({
      name: 'baton_reconciliation_sweeps_total',
      help: 'Reconciliation sweeps by outcome (completed, failed).',
      labelNames: ['outcome'],
      registers,
    });
    const logger = this.logger;
    new Gauge({
      name: 'baton_reconciliation_open_mismatches',
      help: 'Open mismatches between a source of truth and its copies, by field.',
      labelNames: ['field'],
      registers,
      async collect() {
        const open = await mismatches.openByField().catch((error: Error) => {
          logger.warn(`open mismatches unavailable: ${error.message}`);
          return null;
        });
        if (!open) return;
        this.reset();
        for (const { field, open: count } of open) this.set({ field }, count);
      },
    });
  }
}
