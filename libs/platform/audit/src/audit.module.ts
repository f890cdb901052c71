import { Module } from '@nestjs/common';
import { AuditEntryRepository } from './query-audit/audit-entry.repository';
import { AuditController } from './query-audit/audit.controller';
import { LiveFeedController } from './live-feed/live-feed.controller';
import { LiveFeedRepository } from './live-feed/live-feed.repository';
import { LiveFeed } from './live-feed/live-feed.service';
import { AuditRevertController } from './revert-entry/audit-revert.controller';
import { RevertAuditEntryUseCase } from './revert-entry/revert-audit-entry.use-case';

/**
 * The audit API: `GET /audit` (filtered, keyset-paged), `GET /audit/verify` (hash chain check),
 * `GET /audit/:id`, `POST /audit/:id/revert`; and the console's live feed, `GET /live/events`.
 * Needs BatonRuntimeModule (DataSource, RunLedger, ConnectorRegistry) imported once by the app.
 */
@Module({
  controllers: [AuditController, AuditRevertController, LiveFeedController],
  providers: [AuditEntryRepository, RevertAuditEntryUseCase, LiveFeedRepository, LiveFeed],
  exports: [AuditEntryRepository, RevertAuditEntryUseCase, LiveFeed],
})
export class AuditModule {}
