import { Module } from '@nestjs/common';
import { CalibrateFromHistoryUseCase } from './classifier/calibrate-from-history.use-case';
import { ClassifierModelsRepository } from './classifier/classifier-models.repository';
import { ClassifiersController } from './classifier/classifiers.controller';
import { WorkflowClassifierService } from './classifier/workflow-classifier.service';
import { DecideRunUseCase } from './decide-run/decide-run.use-case';
import { RunEnrichedConsumer } from './decide-run/run-enriched.consumer';
import { ResolveReviewUseCase } from './reviews/resolve-review.use-case';
import { ReviewAssignmentUseCase } from './reviews/review-assignment.use-case';
import { ReviewTimersService } from './reviews/review-timers.service';
import { ReviewTaskRepository } from './reviews/review-task.repository';
import { ReviewsController } from './reviews/reviews.controller';

/** Deciding: rules and confidence tiers over run.enriched; review tasks, their timers and verdicts. */
@Module({
  controllers: [ReviewsController, ClassifiersController],
  providers: [
    DecideRunUseCase,
    RunEnrichedConsumer,
    ReviewTaskRepository,
    ResolveReviewUseCase,
    ReviewAssignmentUseCase,
    ReviewTimersService,
    ClassifierModelsRepository,
    WorkflowClassifierService,
    CalibrateFromHistoryUseCase,
  ],
  exports: [ReviewTimersService, WorkflowClassifierService],
})
export class DecisioningModule {}
