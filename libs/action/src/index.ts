import { CreateActionQueue1764230500000 } from './persistence/migrations/1764230500000-create-action-queue';

export * from './action.module';
export * from './action-options.types';
export * from './action.exception';
export * from './execute-actions/execute-actions.use-case';
export * from './circuits/circuit-breaker.util';
export * from './circuits/circuit-breakers.service';
export * from './action-queue/queued-action.repository';
export * from './action-queue/action-queue-drainer.service';

/** Migrations of the action schema (the queue of actions waiting behind open circuits). */
export const actionMigrations = [CreateActionQueue1764230500000];
