import { Module } from '@nestjs/common';
import { AuditEntryRepository } from './query-audit/audit-entry.repository';
import { AuditController } from './query-audit/audit.controller';
import { AuditRevertController } from './revert-entry/audit-revert.controller';
import { RevertAuditEntryUseCase } from './revert-entry/revert-audit-entry.use-case';

/**
 * The audit API: `GET /audit` (filtered, keyset-paged), `GET /audit/verify` (hash chain check),
 * `GET /audit/:id`, `POST /audit/:id/revert`. Needs BatonRuntimeModule (DataSource, RunLedger,
 * ConnectorRegistry) imported once by the app.
 */
@Module({
  controllers: [AuditController, AuditRevertController],
  providers: [AuditEntryRepository, RevertAuditEntryUseCase],
  exports: [AuditEntryRepository, RevertAuditEntryUseCase],
})
export class AuditModule {}
