import { Module } from '@nestjs/common';
import { ReconciliationController } from './sweep/reconciliation.controller';
import { SweepSourcesUseCase } from './sweep/sweep-sources.use-case';

/** Reconciliation: compares sources of truth with their copies and reports mismatches. */
@Module({ controllers: [ReconciliationController], providers: [SweepSourcesUseCase], exports: [SweepSourcesUseCase] })
export class ReconciliationModule {}
