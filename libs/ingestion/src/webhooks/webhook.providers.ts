import type { Provider } from '@nestjs/common';
import { AcceptWebhookUseCase } from './accept-webhook.use-case';
import { DispatchWebhookUseCase } from './dispatch-webhook.use-case';
import { IntakePressure } from './intake-pressure.util';
import { WebhookBodyParserService } from './webhook-body-parser.service';
import { WebhookDispatcherService } from './webhook-dispatcher.service';
import { WebhookInboxPurgeService } from './webhook-inbox-purge.service';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { WebhookMetrics } from './webhook-metrics.util';
import { WebhookRateLimiter } from './webhook-rate-limiter';
import { WEBHOOK_OPTIONS, type WebhookOptions } from './webhook-options.types';
import { WebhookSources } from './webhook-sources.util';
import { WebhookSourcesController } from './webhook-sources.controller';
import { WebhooksController } from './webhooks.controller';

/** Everything webhook intake needs, registered by IngestionModule. */
export const webhookProviders: Provider[] = [
  {
    provide: WebhookSources,
    useFactory: (options?: WebhookOptions) => WebhookSources.load(options),
    inject: [{ token: WEBHOOK_OPTIONS, optional: true }],
  },
  WebhookInboxRepository,
  WebhookRateLimiter,
  WebhookMetrics,
  IntakePressure,
  AcceptWebhookUseCase,
  DispatchWebhookUseCase,
  WebhookDispatcherService,
  WebhookInboxPurgeService,
  WebhookBodyParserService,
];

export const webhookControllers = [WebhooksController, WebhookSourcesController];
