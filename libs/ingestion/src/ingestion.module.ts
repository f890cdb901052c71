import { BatonMetrics } from '@baton/platform-observability';
import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { IngressConsumer } from './ingress/ingress.consumer';
import {
  recordChangeControllers,
  recordChangeProviders,
  RECORD_CHANGE_FEED,
  type RecordChangeFeed,
} from './record-changes/record-change.providers';
import { RunsController } from './runs/runs.controller';
import { ScheduledScanService } from './schedules/scheduled-scan.service';
import { IdempotencyKeyPurgeService } from './start-run/idempotency-key-purge.service';
import { IdempotencyKeyRepository } from './start-run/idempotency-key.repository';
import { IDEMPOTENCY_OPTIONS, type IdempotencyOptions } from './start-run/idempotency-options.types';
import { RunAdmission, type RunAdmissionOptions } from './start-run/run-admission';
import { StartRunUseCase } from './start-run/start-run.use-case';
import { TriggerReceiptRepository } from './start-run/trigger-receipt.repository';
import { WEBHOOK_OPTIONS, type WebhookOptions } from './webhooks/webhook-options.types';
import { webhookControllers, webhookProviders } from './webhooks/webhook.providers';
import { WorkflowsController } from './workflows/workflows.controller';

export interface IngestionOptions {
  webhooks?: WebhookOptions;
  /** The embedded default's change feed (the sample systems), bridged onto change-event topics. */
  changeFeed?: RecordChangeFeed;
  /** How long the admin API remembers an Idempotency-Key (default 24 hours). */
  idempotency?: IdempotencyOptions;
  /**
   * Distributed mode: starts wait while the pipeline has this many runs in progress (`RunAdmission`).
   * Absent, or 0: runs start unpaced (the embedded engine answers a start once its stages have
   * committed, which paces its callers already).
   */
  admission?: RunAdmissionOptions;
}

/** Trigger intake: the admin API's run and workflow endpoints, schedules, webhooks, and starting runs. */
@Module({
  controllers: [RunsController, WorkflowsController, ...webhookControllers, ...recordChangeControllers],
  providers: [
    StartRunUseCase,
    IdempotencyKeyRepository,
    TriggerReceiptRepository,
    IdempotencyKeyPurgeService,
    ScheduledScanService,
    IngressConsumer,
    ...webhookProviders,
    ...recordChangeProviders,
  ],
  exports: [StartRunUseCase, ScheduledScanService],
})
export class IngestionModule {
  /** With options from the app's validated environment; importing the class alone uses the defaults. */
  static forRoot(options: IngestionOptions = {}): DynamicModule {
    return {
      module: IngestionModule,
      providers: [
        { provide: WEBHOOK_OPTIONS, useValue: options.webhooks ?? {} },
        { provide: IDEMPOTENCY_OPTIONS, useValue: options.idempotency ?? {} },
        ...(options.changeFeed ? [{ provide: RECORD_CHANGE_FEED, useValue: options.changeFeed }] : []),
        ...(options.admission && options.admission.maxInProgress > 0
          ? [
              {
                provide: RunAdmission,
                useFactory: (dataSource: DataSource, metrics: BatonMetrics) => new RunAdmission(dataSource, options.admission!, metrics),
                inject: [DataSource, BatonMetrics],
              },
            ]
          : []),
      ],
    };
  }
}
