import { Module } from '@nestjs/common';
import { ExecuteActionsUseCase } from './execute-actions/execute-actions.use-case';
import { RunDecidedConsumer } from './execute-actions/run-decided.consumer';

/** Acting: consumes run.decided, calls connectors with idempotency keys, produces action.executed. */
@Module({ providers: [ExecuteActionsUseCase, RunDecidedConsumer] })
export class ActionModule {}
