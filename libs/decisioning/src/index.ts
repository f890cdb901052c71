import { CreateDecisioningSchema1764144200000 } from './persistence/migrations/1764144200000-create-decisioning-schema';

export * from './decisioning.module';
export * from './decisioning.exception';
export * from './decide-run/decision-engine.util';

export const decisioningMigrations = [CreateDecisioningSchema1764144200000];
