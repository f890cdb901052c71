import { BlockedRunEntity } from './persistence/blocked-run.entity';
import { CircuitOverrideEntity } from './persistence/circuit-override.entity';
import { QueuedActionEntity } from './persistence/queued-action.entity';
import { CreateActionQueue1764230500000 } from './persistence/migrations/1764230500000-create-action-queue';
import { CreateBlockedRun1764231000000 } from './persistence/migrations/1764231000000-create-blocked-run';
import { CreateCircuitOverride1764835300000 } from './persistence/migrations/1764835300000-create-circuit-override';

export * from './action.module';
export * from './action-options.types';
export * from './action.exception';
export * from './execute-actions/execute-actions.use-case';
export * from './circuits/circuit-breaker.util';
export * from './circuits/circuit-breakers.service';
export * from './circuits/circuit-overrides.service';
export * from './action-queue/queued-action.repository';
export * from './action-queue/action-queue-drainer.service';
export * from './blocked-runs/blocked-run.repository';
export * from './blocked-runs/resolve-blocked-run.use-case';

/** Migrations of the action schema (actions waiting behind open circuits, runs blocked on bad data, circuit overrides). */
export const actionMigrations = [CreateActionQueue1764230500000, CreateBlockedRun1764231000000, CreateCircuitOverride1764835300000];

/** One entity per table of the action schema; register them with the DataSource that hosts the service. */
export const actionEntities = [QueuedActionEntity, BlockedRunEntity, CircuitOverrideEntity];
