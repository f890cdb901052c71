import { errorMessage } from '@baton/platform-errors';
import { BatonMetrics } from '@baton/platform-observability';
import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DeadLetterRepository } from './dead-letter.repository';

const KNOWN_CLASSES = new Set(['transient', 'data', 'infrastructure']);

/**
 * Dead-letter growth on the process's registry: a gauge of open dead letters by topic and failure
 * class, read from the store at each scrape (so every replica reports the same, true number), and
 * a counter of dead letters this process stored.
 */
@Injectable()
export class DeadLetterMetricsService {
  private readonly logger = new Logger(DeadLetterMetricsService.name);
  private readonly stored: Counter<'topic' | 'failure_class'>;

  constructor(metrics: BatonMetrics, deadLetters: DeadLetterRepository) {
    const registry = metrics.registry;
    const logger = this.logger;
    this.stored =
      (registry.getSingleMetric('baton_dead_letters_stored_total') as Counter<'topic' | 'failure_class'> | undefined) ??
      new Counter({
        name: 'baton_dead_letters_stored_total',
        help: 'Dead letters stored for inspection and re-drive, by original topic and failure class.',
        labelNames: ['topic', 'failure_class'],
        registers: [registry],
      });
    if (!registry.getSingleMetric('baton_dead_letters_open')) {
      new Gauge({
        name: 'baton_dead_letters_open',
        help: 'Dead letters waiting for an operator (neither re-driven nor discarded), by original topic and failure class.',
        labelNames: ['topic', 'failure_class'],
        registers: [registry],
        async collect() {
          try {
            const counts = await deadLetters.openCounts();
            this.reset();
            for (const c of counts) this.inc({ topic: c.topic, failure_class: classLabel(c.failureClass) }, c.count);
          } catch (error) {
            // A scrape while the database is away keeps the last values rather than failing whole.
            logger.warn(`open dead letters not counted: ${errorMessage(error)}`);
          }
        },
      });
    }
  }

  countStored(topic: string, failureClass: string): void {
    this.stored.inc({ topic, failure_class: classLabel(failureClass) });
  }
}

/** Failure classes come from message headers: anything unexpected is one label, never many. */
function classLabel(failureClass: string): string {
  return KNOWN_CLASSES.has(failureClass) ? failureClass : 'other';
}
