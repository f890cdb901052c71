import { createEvent, EventTypes, Topics, type Decision, type RunRef } from '@baton/contracts';
import { RunLedger } from '@baton/platform-database';
import { Injectable } from '@nestjs/common';
import { DecisioningErrorCode, DecisioningException } from '../decisioning.exception';
import { ReviewTaskRepository, type ReviewTask } from './review-task.repository';

export interface ResolveReviewCommand {
  reviewId: string;
  verdict: 'approve' | 'reject';
  reviewer: string;
  rationale: string;
  /** A reviewer may replace the suggestion (another team, another owner) when approving. */
  suggestion?: string;
}

/**
 * A person's verdict on a review task. In one transaction: the task is closed (only if still
 * open, so two reviewers cannot both decide), the run moves on with the reviewer as actor, the
 * audit log records proposal, verdict and rationale, and the events go out — run.decided on
 * approval, run.completed (rejected) on rejection, and review.resolved either way.
 */
@Injectable()
export class ResolveReviewUseCase {
  constructor(
    private readonly reviews: ReviewTaskRepository,
    private readonly ledger: RunLedger,
  ) {}

  async execute(command: ResolveReviewCommand): Promise<ReviewTask> {
    const result = await this.ledger.apply(null, async (uow) => {
      const task = await this.reviews.get(command.reviewId, uow.manager);
      if (!task) throw new DecisioningException(DecisioningErrorCode.ReviewNotFound, `review ${command.reviewId} does not exist`, undefined, 'not_found');
      const status = command.verdict === 'approve' ? 'approved' : 'rejected';
      if (!(await this.reviews.resolve(uow.manager, task.id, status, command.reviewer, command.rationale))) {
        throw new DecisioningException(
          DecisioningErrorCode.ReviewAlreadyResolved,
          `review ${task.id} is already ${task.status}${task.resolvedBy ? ` by ${task.resolvedBy}` : ''}`,
          { status: task.status },
          'conflict',
        );
      }
      const run: RunRef = { runId: task.runId, workflowId: task.workflowId, workflowVersion: task.workflowVersion, orgId: task.orgId };
      const actor = `person:${command.reviewer}`;
      const cause = { id: task.causeEventId, correlationid: task.correlationId };
      const decision: Decision = {
        ...task.proposal,
        outcome: command.verdict === 'approve' ? 'act' : 'reject',
        tier: 'reviewer',
        suggestion: command.suggestion ?? task.proposal.suggestion ?? null,
        reason: `${command.verdict === 'approve' ? 'approved' : 'rejected'} by ${command.reviewer}: ${command.rationale}`,
        decidedBy: { kind: 'person', id: command.reviewer },
      };
      await uow.audit({
        actor,
        action: `review.${command.verdict}`,
        targetType: 'review',
        targetId: task.id,
        before: { status: 'open', proposal: { outcome: task.proposal.outcome, suggestion: task.proposal.suggestion } },
        after: { status, outcome: decision.outcome, suggestion: decision.suggestion },
        reason: { rationale: command.rationale },
        runId: run.runId,
      });
      await uow.transition(run, {
        to: command.verdict === 'approve' ? 'decided' : 'rejected',
        from: ['awaiting_review'],
        stage: 'decisioning',
        actor,
        reason: decision.reason,
        detail: { decision, reviewId: task.id },
      });
      const resolved = createEvent(
        EventTypes.reviewResolved,
        run,
        { reviewId: task.id, verdict: command.verdict, reviewer: { kind: 'person', id: command.reviewer }, rationale: command.rationale, suggestion: decision.suggestion ?? null },
        { source: 'baton/decisioning', cause },
      );
      await uow.emit({ topic: Topics.reviewResolved, key: run.runId, payload: resolved });
      if (command.verdict === 'approve') {
        const decided = createEvent(EventTypes.runDecided, run, { trigger: task.trigger, context: task.context, decision }, { source: 'baton/decisioning', cause: resolved });
        await uow.emit({ topic: Topics.runDecided, key: run.runId, payload: decided });
      } else {
        const completed = createEvent(EventTypes.runCompleted, run, { status: 'rejected', verifications: [], reason: decision.reason }, { source: 'baton/decisioning', cause: resolved });
        await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
      }
      return { ...task, status, resolvedBy: command.reviewer, rationale: command.rationale } as ReviewTask;
    });
    if (result.outcome === 'skipped') throw new Error('unreachable: resolving a review uses no inbox');
    return result.value;
  }
}
