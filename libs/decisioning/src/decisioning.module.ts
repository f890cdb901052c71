import { Module } from '@nestjs/common';
import { DecideRunUseCase } from './decide-run/decide-run.use-case';
import { RunEnrichedConsumer } from './decide-run/run-enriched.consumer';
import { ResolveReviewUseCase } from './reviews/resolve-review.use-case';
import { ReviewAssignmentUseCase } from './reviews/review-assignment.use-case';
import { ReviewTimersService } from './reviews/review-timers.service';
import { ReviewTaskRepository } from './reviews/review-task.repository';
import { ReviewsController } from './reviews/reviews.controller';

/** Deciding: rules and confidence tiers over run.enriched; review tasks, their timers and verdicts. */
@Module({
  controllers: [ReviewsController],
  providers: [DecideRunUseCase, RunEnrichedConsumer, ReviewTaskRepository, ResolveReviewUseCase, ReviewAssignmentUseCase, ReviewTimersService],
  exports: [ReviewTimersService],
})
export class DecisioningModule {}
