import { CreateDecisioningSchema1764144200000 } from './persistence/migrations/1764144200000-create-decisioning-schema';
import { AddReviewTimers1764144300000 } from './persistence/migrations/1764144300000-add-review-timers';
import { CreateClassifierModels1764144400000 } from './persistence/migrations/1764144400000-create-classifier-models';
import { AllowDraftReviews1764144500000 } from './persistence/migrations/1764144500000-allow-draft-reviews';
import { AddReviewTrace1764835200000 } from './persistence/migrations/1764835200000-add-review-trace';
import { ClassifierModelEntity } from './persistence/classifier-model.entity';
import { ReviewTaskEntity } from './persistence/review-task.entity';

export * from './decisioning.module';
export * from './decisioning.exception';
export * from './decide-run/decision-engine.util';

export * from './reviews/review-timers.service';

export * from './classifier/workflow-classifier.service';

export const decisioningMigrations = [
  CreateDecisioningSchema1764144200000,
  AddReviewTimers1764144300000,
  CreateClassifierModels1764144400000,
  AllowDraftReviews1764144500000,
  AddReviewTrace1764835200000,
];

/** One entity per table of the decisioning schema; register them with the DataSource that hosts the service. */
export const decisioningEntities = [ReviewTaskEntity, ClassifierModelEntity];
