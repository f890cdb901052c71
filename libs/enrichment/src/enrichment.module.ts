import { Module } from '@nestjs/common';
import { EnrichRunUseCase } from './enrich-run/enrich-run.use-case';
import { RunTriggeredConsumer } from './enrich-run/run-triggered.consumer';

/** Context gathering: consumes run.triggered, produces run.enriched. */
@Module({ providers: [EnrichRunUseCase, RunTriggeredConsumer] })
export class EnrichmentModule {}
