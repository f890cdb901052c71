import { Module } from '@nestjs/common';
import { DecideRunUseCase } from './decide-run/decide-run.use-case';
import { RunEnrichedConsumer } from './decide-run/run-enriched.consumer';
import { ResolveReviewUseCase } from './reviews/resolve-review.use-case';
import { ReviewTaskRepository } from './reviews/review-task.repository';
import { ReviewsController } from './reviews/reviews.controller';

/** Deciding: rules and confidence tiers over run.enriched, review tasks and their verdicts. */
@Module({
  controllers: [ReviewsController],
  providers: [DecideRunUseCase, RunEnrichedConsumer, ReviewTaskRepository, ResolveReviewUseCase],
})
export class DecisioningModule {}
