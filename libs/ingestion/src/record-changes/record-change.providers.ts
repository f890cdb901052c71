import type { Provider } from '@nestjs/common';
import { TriggerActivityRepository } from '../trigger-sources/trigger-activity.repository';
import { TriggerSourceMetrics } from '../trigger-sources/trigger-source-metrics.util';
import { TriggerSourcesController } from '../trigger-sources/trigger-sources.controller';
import { TriggerSourcesService } from '../trigger-sources/trigger-sources.service';
import { ChangeFeedProducer } from './change-feed.producer';
import { RecordChangeConsumer } from './record-change.consumer';

export { RECORD_CHANGE_FEED, type RecordChangeFeed } from './record-change-feed.types';

/** Record-change triggers and the trigger sources view, registered by IngestionModule. */
export const recordChangeProviders: Provider[] = [
  RecordChangeConsumer,
  ChangeFeedProducer,
  TriggerActivityRepository,
  TriggerSourcesService,
  TriggerSourceMetrics,
];

export const recordChangeControllers = [TriggerSourcesController];
