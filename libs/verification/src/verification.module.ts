import { Module } from '@nestjs/common';
import { ActionExecutedConsumer } from './verify-actions/action-executed.consumer';
import { VerifyActionsUseCase } from './verify-actions/verify-actions.use-case';

/** Verifying: consumes action.executed, reads every effect back, produces run.completed. */
@Module({ providers: [VerifyActionsUseCase, ActionExecutedConsumer] })
export class VerificationModule {}
