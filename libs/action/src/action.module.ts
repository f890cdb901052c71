import { Module, type DynamicModule } from '@nestjs/common';
import { ActionQueueDrainer } from './action-queue/action-queue-drainer.service';
import { ActionQueueController } from './action-queue/action-queue.controller';
import { QueuedActionRepository } from './action-queue/queued-action.repository';
import { ACTION_OPTIONS, DEFAULT_ACTION_OPTIONS, resolveActionOptions, type ActionOptionsInput } from './action-options.types';
import { ActionAlerts } from './alerts/action-alerts.service';
import { BlockedRunAlertsConsumer } from './alerts/blocked-run-alerts.consumer';
import { BlockedRunRepository } from './blocked-runs/blocked-run.repository';
import { BlockedRunsController } from './blocked-runs/blocked-runs.controller';
import { ResolveBlockedRunUseCase } from './blocked-runs/resolve-blocked-run.use-case';
import { CircuitBreakers } from './circuits/circuit-breakers.service';
import { CircuitOverrideRepository } from './circuits/circuit-override.repository';
import { CircuitOverrides } from './circuits/circuit-overrides.service';
import { CircuitsController } from './circuits/circuits.controller';
import { GuardedConnectors } from './circuits/guarded-connectors.service';
import { ExecuteActionsUseCase } from './execute-actions/execute-actions.use-case';
import { RunDecidedConsumer } from './execute-actions/run-decided.consumer';

/**
 * Acting: consumes run.decided, calls connectors with idempotency keys behind per-connector
 * circuit breakers, queues actions while a circuit is open, keeps runs blocked on a data failure
 * for a person to retry or close, produces action.executed.
 * Imported bare it runs on the defaults; `forRoot` sets the breaker, queue and alert options.
 */
@Module({
  controllers: [CircuitsController, ActionQueueController, BlockedRunsController],
  providers: [
    { provide: ACTION_OPTIONS, useValue: DEFAULT_ACTION_OPTIONS },
    CircuitBreakers,
    CircuitOverrideRepository,
    CircuitOverrides,
    ActionAlerts,
    GuardedConnectors,
    QueuedActionRepository,
    BlockedRunRepository,
    ResolveBlockedRunUseCase,
    ExecuteActionsUseCase,
    RunDecidedConsumer,
    BlockedRunAlertsConsumer,
    ActionQueueDrainer,
  ],
})
export class ActionModule {
  static forRoot(options: ActionOptionsInput = {}): DynamicModule {
    return { module: ActionModule, providers: [{ provide: ACTION_OPTIONS, useValue: resolveActionOptions(options) }] };
  }
}
