import { CreateDeadLetters1764316800000 } from './persistence/migrations/1764316800000-create-dead-letters';
import { CreateStuckRunReport1765000400000 } from './persistence/migrations/1765000400000-create-stuck-run-report';
import { DeadLetterEntity } from './persistence/dead-letter.entity';
import { StuckRunReportEntity } from './persistence/stuck-run-report.entity';

export * from './verification.module';
export * from './verification.exception';
export * from './verify-actions/verify-actions.use-case';
export type { DeadLetterOptions, DeadLetterStatus } from './dead-letters/dead-letter.types';
export { DEFAULT_DEAD_LETTER_OPTIONS, resolveDeadLetterOptions } from './dead-letters/dead-letter-options.util';
export { DEAD_LETTER_CONSUMER } from './dead-letters/store-dead-letter.use-case';
export { REDRIVE_OF_HEADER } from './dead-letters/dead-letter-message.util';

export { StuckRunWatchdog, type StuckRun } from './stuck-runs/stuck-run-watchdog.service';
export { stuckLimitMs, DEFAULT_STUCK_LIMITS_MS } from './stuck-runs/stuck-run-policy.util';

/** Verification's own tables: the dead-letter store, the stuck runs reported. */
export const verificationMigrations = [CreateDeadLetters1764316800000, CreateStuckRunReport1765000400000];

/** One entity per table of the verification schema; register them with the DataSource that hosts the service. */
export const verificationEntities = [DeadLetterEntity, StuckRunReportEntity];
