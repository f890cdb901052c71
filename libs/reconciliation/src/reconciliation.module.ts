import { Module } from '@nestjs/common';
import { MismatchRepository } from './mismatches/mismatch.repository';
import { ResolveMismatchUseCase } from './mismatches/resolve-mismatch.use-case';
import { ReconciliationMetrics } from './reconciliation-metrics.util';
import { ReconciliationController } from './sweep/reconciliation.controller';
import { SweepScheduleService } from './sweep/sweep-schedule.service';
import { SweepSourcesUseCase } from './sweep/sweep-sources.use-case';

/**
 * Reconciliation: compares each reconciled field's copies with its source of truth (sweeps, hourly
 * and on demand), stores and announces mismatches, and writes the truth back when an operator
 * resolves one.
 */
@Module({
  controllers: [ReconciliationController],
  providers: [MismatchRepository, SweepSourcesUseCase, ResolveMismatchUseCase, ReconciliationMetrics, SweepScheduleService],
  exports: [SweepSourcesUseCase],
})
export class ReconciliationModule {}
