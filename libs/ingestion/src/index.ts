import { IdempotencyKeyEntity } from './persistence/idempotency-key.entity';
import { TriggerReceiptEntity } from './persistence/trigger-receipt.entity';
import { WebhookInboxEntity } from './persistence/webhook-inbox.entity';
import { WebhookRateEntity } from './persistence/webhook-rate.entity';
import { CreateIngestionSchema1764144100000 } from './persistence/migrations/1764144100000-create-ingestion-schema';
import { CreateWebhookInbox1764144150000 } from './persistence/migrations/1764144150000-create-webhook-inbox';
import { CreateWebhookRate1764231100000 } from './persistence/migrations/1764231100000-create-webhook-rate';
import { CreateIdempotencyKey1764500000000 } from './persistence/migrations/1764500000000-create-idempotency-key';
import { OrderPendingWebhooks1765000700000 } from './persistence/migrations/1765000700000-order-pending-webhooks';

export * from './ingestion.module';
export * from './ingestion.exception';
export * from './start-run/start-run.use-case';
export * from './start-run/idempotency-options.types';
export * from './start-run/idempotency-key-purge.service';
export * from './schedules/scheduled-scan.service';
export * from './record-changes/record-change-feed.types';
export * from './record-changes/record-change.consumer';
export * from './record-changes/change-feed.producer';
export { parseDebeziumChange, type DebeziumChange, type RecordChangePayload } from './record-changes/debezium-change.util';
export * from './trigger-sources/trigger-sources.service';
export * from './webhooks/webhook-options.types';
export * from './webhooks/webhook-sources.util';
export * from './webhooks/webhook-signature.util';
export * from './webhooks/webhook-dispatcher.service';
export * from './webhooks/webhook-inbox-purge.service';

/** Migrations of the ingestion schema, run by every process that hosts the ingestion service. */
export const ingestionMigrations = [
  CreateIngestionSchema1764144100000,
  CreateWebhookInbox1764144150000,
  CreateWebhookRate1764231100000,
  CreateIdempotencyKey1764500000000,
  OrderPendingWebhooks1765000700000,
];

/** One entity per table of the ingestion schema; register them with the DataSource that hosts the service. */
export const ingestionEntities = [TriggerReceiptEntity, WebhookInboxEntity, WebhookRateEntity, IdempotencyKeyEntity];
export * from './start-run/run-admission';
