import { createEvent, EventTypes, Topics, type RunRef } from '@baton/contracts';
import { RunLedger, type UnitOfWork } from '@baton/platform-database';
import { ApiKeyRegistry, hasRole, holdsExactly, Roles, type Principal } from '@baton/platform-runtime';
import { Injectable } from '@nestjs/common';
import { DecisioningErrorCode, DecisioningException, invalidInput } from '../decisioning.exception';
import { actorOf, assertCanDecide, couldOwn } from './review-access.util';
import { ReviewTaskRepository, type ReviewTask } from './review-task.repository';
import { ResolveReviewUseCase } from './resolve-review.use-case';

/**
 * Who works on a review task: claiming it (which stops escalation), objecting to a fast-track
 * approval (which turns it into an explicit decision), and reassigning it. Each is audited with
 * the principal, and a reassignment notifies the new owner with a fresh review.requested.
 * Claiming is for those who may decide the task; a task is reassigned only to a principal the
 * keys file names who can see and decide it, and who is not barred from approving it.
 */
@Injectable()
export class ReviewAssignmentUseCase {
  constructor(
    private readonly reviews: ReviewTaskRepository,
    private readonly ledger: RunLedger,
    private readonly resolver: ResolveReviewUseCase,
    private readonly principals: ApiKeyRegistry,
  ) {}

  async claim(principal: Principal, reviewId: string): Promise<ReviewTask> {
    return this.inTask(principal, reviewId, async (uow, task) => {
      assertCanDecide(principal, task);
      if (task.claimedBy && task.claimedBy !== principal.id) {
        throw new DecisioningException(
          DecisioningErrorCode.ClaimedBySomeoneElse,
          `review ${task.id} is claimed by ${task.claimedBy}`,
          { claimedBy: task.claimedBy },
          'conflict',
        );
      }
      const claimedAt = new Date();
      await this.reviews.update(uow.manager, task.id, { claimed_by: principal.id, claimed_at: claimedAt });
      await this.audit(uow, principal, task, 'review.claim', { claimedBy: task.claimedBy }, { claimedBy: principal.id }, 'claimed');
      return { ...task, claimedBy: principal.id, claimedAt: claimedAt.toISOString() };
    });
  }

  async object(principal: Principal, reviewId: string, reason: string): Promise<ReviewTask> {
    return this.inTask(principal, reviewId, async (uow, task) => {
      if (task.queue !== 'fast_track') {
        throw new DecisioningException(
          DecisioningErrorCode.NotFastTrack,
          `review ${task.id} is in the ${task.queue} queue; only fast-track approvals take objections`,
          undefined,
          'conflict',
        );
      }
      await this.reviews.update(uow.manager, task.id, {
        queue: 'approval',
        auto_approve_at: null,
        objected_by: principal.id,
        objection: reason,
      });
      await this.audit(
        uow,
        principal,
        task,
        'review.object',
        { queue: 'fast_track', autoApproveAt: task.autoApproveAt },
        { queue: 'approval', autoApproveAt: null },
        reason,
      );
      return { ...task, queue: 'approval', autoApproveAt: null, objectedBy: principal.id, objection: reason };
    });
  }

  async reassign(principal: Principal, reviewId: string, owner: string, reason: string): Promise<ReviewTask> {
    return this.inTask(principal, reviewId, async (uow, task) => {
      if (
        task.owner !== principal.id &&
        task.claimedBy !== principal.id &&
        !hasRole(principal, Roles.operator) &&
        !holdsExactly(principal, Roles.reviewOverride)
      ) {
        throw new DecisioningException(
          DecisioningErrorCode.NotTheApprover,
          `only the owner, the claimant or an operator may reassign review ${task.id}`,
          undefined,
          'forbidden',
        );
      }
      await this.assertCanTakeOver(uow, task, owner);
      await this.reviews.update(uow.manager, task.id, { owner, claimed_by: null, claimed_at: null });
      await this.audit(uow, principal, task, 'review.reassign', { owner: task.owner }, { owner }, reason);
      const updated = { ...task, owner, claimedBy: null, claimedAt: null };
      await notifyOwner(uow, updated);
      return updated;
    });
  }

  /** The new owner must be a principal of the keys file who could see and decide the task, and approve it. */
  private async assertCanTakeOver(uow: UnitOfWork, task: ReviewTask, owner: string): Promise<void> {
    const refuse = (message: string) =>
      invalidInput(DecisioningErrorCode.InvalidReassignment, 'invalid reassignment', [{ path: '/owner', message }]);
    const identities = this.principals.identitiesOf(owner);
    if (identities.length === 0) throw refuse(`${JSON.stringify(owner)} is not a known principal (no API key names it)`);
    if (!identities.some((identity) => couldOwn(identity, task))) {
      throw refuse(
        `${owner} cannot see and decide review ${task.id} (it needs the reviewer role in ` +
          `${task.orgId}${task.queue === 'approval' && task.approver ? ` and to be its approver ${task.approver}` : ''})`,
      );
    }
    if ((await this.reviews.startedBy(uow.manager, task.runId)) === `person:${owner}`)
      throw refuse(`${owner} started run ${task.runId} and could not approve it`);
    if (task.objectedBy === owner) throw refuse(`${owner} objected to this review and could not approve it`);
  }

  private inTask<T>(principal: Principal, reviewId: string, work: (uow: UnitOfWork, task: ReviewTask) => Promise<T>): Promise<T> {
    return this.ledger.transaction(async (uow) => work(uow, await this.resolver.openTask(uow, principal, reviewId)));
  }

  private async audit(
    uow: UnitOfWork,
    principal: Principal,
    task: ReviewTask,
    action: string,
    before: unknown,
    after: unknown,
    reason: string,
  ): Promise<void> {
    await uow.audit({
      actor: actorOf(principal),
      action,
      targetType: 'review',
      targetId: task.id,
      before,
      after,
      reason: { reason },
      runId: task.runId,
    });
  }
}

/** Tells the (new) owner about a task: the review.requested event notifiers subscribe to. */
export async function notifyOwner(uow: UnitOfWork, task: ReviewTask): Promise<void> {
  const run: RunRef = { runId: task.runId, workflowId: task.workflowId, workflowVersion: task.workflowVersion, orgId: task.orgId };
  const requested = createEvent(
    EventTypes.reviewRequested,
    run,
    {
      reviewId: task.id,
      queue: task.queue,
      owner: task.owner,
      trigger: task.trigger,
      context: task.context,
      proposal: task.proposal,
      ...(task.deadline ? { deadline: task.deadline } : {}),
      ...(task.autoApproveAt ? { autoApproveAt: task.autoApproveAt } : {}),
      escalationLevel: task.escalationLevel,
    },
    { source: 'baton/decisioning', cause: { id: task.causeEventId, correlationid: task.correlationId } },
  );
  await uow.emit({ topic: Topics.reviewRequested, key: task.runId, payload: requested });
}
