import { CreateSharedTables1764144000000 } from './migrations/1764144000000-create-shared-tables';
import { ChainAuditEntries1764230400000 } from './migrations/1764230400000-chain-audit-entries';
import { EnforceAppendOnlyTables1764230460000 } from './migrations/1764230460000-enforce-append-only-tables';
import { AddRunHead1765000000000 } from './migrations/1765000000000-add-run-head';
import { SealAuditEntries1765000100000 } from './migrations/1765000100000-seal-audit-entries';
import { StoreOutboxBytes1765000200000 } from './migrations/1765000200000-store-outbox-bytes';
import { AddExpectRows1765000300000 } from './migrations/1765000300000-add-expect-rows';
import { IndexRunStartsOnly1765000400000 } from './migrations/1765000400000-index-run-starts-only';
import { StoreTransitionDetailAsJson1765000500000 } from './migrations/1765000500000-store-transition-detail-as-json';
import { IndexOtherAuditTargets1765000600000 } from './migrations/1765000600000-index-other-audit-targets';
import { SealAuditEntriesInBlocks1765000700000 } from './migrations/1765000700000-seal-audit-entries-in-blocks';

/** Migrations of the shared tables; every deployment runs them before any service's own. */
export const sharedMigrations = [
  CreateSharedTables1764144000000,
  ChainAuditEntries1764230400000,
  EnforceAppendOnlyTables1764230460000,
  AddRunHead1765000000000,
  SealAuditEntries1765000100000,
  StoreOutboxBytes1765000200000,
  AddExpectRows1765000300000,
  IndexRunStartsOnly1765000400000,
  StoreTransitionDetailAsJson1765000500000,
  IndexOtherAuditTargets1765000600000,
  SealAuditEntriesInBlocks1765000700000,
];
