import { CreateDecisioningSchema1764144200000 } from './persistence/migrations/1764144200000-create-decisioning-schema';
import { AddReviewTimers1764144300000 } from './persistence/migrations/1764144300000-add-review-timers';

export * from './decisioning.module';
export * from './decisioning.exception';
export * from './decide-run/decision-engine.util';

export * from './reviews/review-timers.service';

export const decisioningMigrations = [CreateDecisioningSchema1764144200000, AddReviewTimers1764144300000];
