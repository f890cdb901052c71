import { RUNTIME_OPTIONS, type RuntimeOptions } from '@baton/platform-runtime';
import { Module } from '@nestjs/common';
import { DeadLetterConsumer } from './dead-letters/dead-letter.consumer';
import { DeadLetterMetricsService } from './dead-letters/dead-letter-metrics.service';
import { DEAD_LETTER_OPTIONS, resolveDeadLetterOptions } from './dead-letters/dead-letter-options.util';
import { DeadLetterRepository } from './dead-letters/dead-letter.repository';
import type { DeadLetterOptions } from './dead-letters/dead-letter.types';
import { DeadLettersController } from './dead-letters/dead-letters.controller';
import { DiscardDeadLetterUseCase } from './dead-letters/discard-dead-letter.use-case';
import { NotifyDeadLetterGrowthUseCase } from './dead-letters/notify-dead-letter-growth.use-case';
import { RedriveDeadLettersUseCase } from './dead-letters/redrive-dead-letters.use-case';
import { StoreDeadLetterUseCase } from './dead-letters/store-dead-letter.use-case';
import { StuckRunRepository } from './stuck-runs/stuck-run.repository';
import { StuckRunWatchdog } from './stuck-runs/stuck-run-watchdog.service';
import { StuckRunsController } from './stuck-runs/stuck-runs.controller';
import { ActionExecutedConsumer } from './verify-actions/action-executed.consumer';
import { VerifyActionsUseCase } from './verify-actions/verify-actions.use-case';

/**
 * Verifying: consumes action.executed, reads every effect back, produces run.completed. Keeps
 * the dead letters of every stage and ingress topic for operators to inspect, re-drive or
 * discard, and tells them when dead letters grow; watches for runs that stopped moving.
 */
@Module({
  controllers: [DeadLettersController, StuckRunsController],
  providers: [
    VerifyActionsUseCase,
    ActionExecutedConsumer,
    {
      provide: DEAD_LETTER_OPTIONS,
      // `deadLetters` is the proposed RuntimeOptions field; until the apps set it, the defaults apply.
      useFactory: (runtime: RuntimeOptions & { deadLetters?: Partial<DeadLetterOptions> }) => resolveDeadLetterOptions(runtime.deadLetters),
      inject: [RUNTIME_OPTIONS],
    },
    DeadLetterRepository,
    DeadLetterMetricsService,
    StoreDeadLetterUseCase,
    NotifyDeadLetterGrowthUseCase,
    DeadLetterConsumer,
    RedriveDeadLettersUseCase,
    DiscardDeadLetterUseCase,
    StuckRunRepository,
    StuckRunWatchdog,
  ],
})
export class VerificationModule {}
