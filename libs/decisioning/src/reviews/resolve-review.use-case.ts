import { createEvent, EventTypes, Topics, type Actor, type Decision, type RunRef } from '@baton/contracts';
import { RunLedger, type UnitOfWork } from '@baton/platform-database';
import { RunSpanAttributes, withContinuedSpan } from '@baton/platform-observability';
import { WorkflowCatalog, type Principal } from '@baton/platform-runtime';
import { Injectable } from '@nestjs/common';
import { DecisioningErrorCode, DecisioningException, invalidInput } from '../decisioning.exception';
import { actorOf, assertCanDecide, assertCanSee, assertFourEyes } from './review-access.util';
import { ReviewTaskRepository, type ReviewTask } from './review-task.repository';

export interface ResolveReviewCommand {
  reviewId: string;
  verdict: 'approve' | 'reject';
  rationale: string;
  /** A reviewer may replace the suggestion (another team, another owner) when approving. */
  suggestion?: string;
  /** Changed arguments of held drafts, by action id: what will actually be sent. */
  edits?: Record<string, Record<string, string>>;
  /** Decided by a holder of review-override who is not one of the task's deciders: audited as such. */
  override?: boolean;
}

/**
 * A verdict on a review task. In one transaction: the task is closed (locked while open, so two
 * reviewers cannot both decide), the run moves on with the decider as actor, the audit log
 * records proposal, verdict and rationale, and the events go out — run.decided on approval,
 * run.completed (rejected) on rejection, and review.resolved either way.
 */
@Injectable()
export class ResolveReviewUseCase {
  constructor(
    private readonly reviews: ReviewTaskRepository,
    private readonly ledger: RunLedger,
    private readonly catalog: WorkflowCatalog,
  ) {}

  async execute(principal: Principal, command: ResolveReviewCommand): Promise<ReviewTask> {
    return this.ledger.transaction(async (uow) => {
      const task = await this.openTask(uow, principal, command.reviewId);
      const { override } = assertCanDecide(principal, task);
      if (command.verdict === 'approve') assertFourEyes(principal, task, await this.reviews.startedBy(uow.manager, task.runId));
      assertEditsFitDrafts(
        task,
        command.edits,
        (actionId) => this.catalog.get(task.workflowId)?.actions.find((a) => a.id === actionId)?.editable,
      );
      return this.resolve(uow, task, { kind: 'person', id: principal.id }, actorOf(principal), { ...command, override });
    });
  }

  /**
   * Closes a locked open task; also used by the fast-track timer with a system actor. The work is
   * a span of the run's trace (continuing the stage that opened the task, linked to the request
   * or timer deciding it), so the events it emits carry the run's trace on to the action stage.
   */
  async resolve(uow: UnitOfWork, task: ReviewTask, decidedBy: Actor, actor: string, command: ResolveReviewCommand): Promise<ReviewTask> {
    const attributes = {
      [RunSpanAttributes.runId]: task.runId,
      [RunSpanAttributes.workflowId]: task.workflowId,
      [RunSpanAttributes.orgId]: task.orgId,
      [RunSpanAttributes.tier]: decidedBy.kind === 'person' ? 'reviewer' : 'rules',
      'baton.review_id': task.id,
      'baton.review.verdict': command.verdict,
      'baton.review.decided_by': decidedBy.kind,
    };
    return withContinuedSpan(task.trace, 'review.decide', attributes, () => this.close(uow, task, decidedBy, actor, command));
  }

  private async close(
    uow: UnitOfWork,
    task: ReviewTask,
    decidedBy: Actor,
    actor: string,
    command: ResolveReviewCommand,
  ): Promise<ReviewTask> {
    const status = command.verdict === 'approve' ? 'approved' : 'rejected';
    await this.reviews.update(uow.manager, task.id, {
      status,
      resolved_by: decidedBy.id,
      rationale: command.rationale,
      resolved_at: new Date(),
    });
    const run: RunRef = { runId: task.runId, workflowId: task.workflowId, workflowVersion: task.workflowVersion, orgId: task.orgId };
    const cause = { id: task.causeEventId, correlationid: task.correlationId };
    const decision: Decision = {
      ...task.proposal,
      outcome: command.verdict === 'approve' ? 'act' : 'reject',
      tier: decidedBy.kind === 'person' ? 'reviewer' : 'rules',
      suggestion: command.suggestion ?? task.proposal.suggestion ?? null,
      reason: `${status} by ${decidedBy.id}${command.override ? ` (override; owner ${task.owner})` : ''}: ${command.rationale}`,
      decidedBy,
      ...(command.edits && Object.keys(command.edits).length ? { edits: command.edits } : {}),
    };
    await uow.audit({
      actor,
      action: `review.${command.verdict}`,
      targetType: 'review',
      targetId: task.id,
      before: { status: 'open', queue: task.queue, proposal: { outcome: task.proposal.outcome, suggestion: task.proposal.suggestion } },
      after: {
        status,
        outcome: decision.outcome,
        suggestion: decision.suggestion,
        ...(decision.edits ? { edits: decision.edits } : {}),
        ...(command.override ? { override: true } : {}),
      },
      reason: {
        rationale: command.rationale,
        ...(command.override ? { override: { role: 'review-override', owner: task.owner, approver: task.approver } } : {}),
      },
      runId: run.runId,
    });
    await uow.transition(run, {
      to: command.verdict === 'approve' ? 'decided' : 'rejected',
      from: ['awaiting_review'],
      stage: 'decisioning',
      actor,
      reason: decision.reason,
      detail: { decision, reviewId: task.id, ...(command.override ? { override: true } : {}) },
    });
    const resolved = createEvent(
      EventTypes.reviewResolved,
      run,
      {
        reviewId: task.id,
        verdict: command.verdict,
        reviewer: decidedBy,
        rationale: command.rationale,
        suggestion: decision.suggestion ?? null,
      },
      { source: 'baton/decisioning', cause },
    );
    await uow.emit({ topic: Topics.reviewResolved, key: run.runId, payload: resolved });
    if (command.verdict === 'approve') {
      const decided = createEvent(
        EventTypes.runDecided,
        run,
        { trigger: task.trigger, context: task.context, decision },
        { source: 'baton/decisioning', cause: resolved },
      );
      await uow.emit({ topic: Topics.runDecided, key: run.runId, payload: decided });
    } else {
      const completed = createEvent(
        EventTypes.runCompleted,
        run,
        { status: 'rejected', verifications: [], reason: decision.reason },
        { source: 'baton/decisioning', cause: resolved },
      );
      await uow.emit({ topic: Topics.runCompleted, key: run.runId, payload: completed });
    }
    return { ...task, status, resolvedBy: decidedBy.id, rationale: command.rationale, proposal: task.proposal };
  }

  /** The task, locked, if the principal may see it and it is still open. */
  async openTask(uow: UnitOfWork, principal: Principal, reviewId: string): Promise<ReviewTask> {
    const task = assertCanSee(principal, await this.reviews.get(reviewId, uow.manager), reviewId);
    const open = await this.reviews.lockOpen(uow.manager, task.id);
    if (!open) {
      throw new DecisioningException(
        DecisioningErrorCode.ReviewAlreadyResolved,
        `review ${task.id} is already ${task.status}${task.resolvedBy ? ` by ${task.resolvedBy}` : ''}`,
        { status: task.status },
        'conflict',
      );
    }
    return open;
  }
}

/**
 * Edits may only change arguments of the messages held as drafts, only to text, and only those
 * the workflow lets a reviewer change (content by default; recipients only where it says so).
 */
function assertEditsFitDrafts(
  task: ReviewTask,
  edits: ResolveReviewCommand['edits'],
  editableOf: (actionId: string) => readonly string[] | undefined,
): void {
  if (!edits) return;
  const drafts = new Map((task.proposal.drafts ?? []).map((d) => [d.actionId, d]));
  const issues: Array<{ path: string; message: string }> = [];
  for (const [actionId, args] of Object.entries(edits)) {
    const draft = drafts.get(actionId);
    if (!draft) {
      issues.push({
        path: `/edits/${actionId}`,
        message: `is not a draft of this review (drafts: ${[...drafts.keys()].join(', ') || 'none'})`,
      });
      continue;
    }
    const editable = editableOf(actionId) ?? [];
    for (const name of Object.keys(args)) {
      if (!Object.hasOwn(draft.preview, name))
        issues.push({
          path: `/edits/${actionId}/${name}`,
          message: `is not an argument of ${actionId} (${Object.keys(draft.preview).join(', ')})`,
        });
      else if (!editable.includes(name))
        issues.push({
          path: `/edits/${actionId}/${name}`,
          message: `may not be changed by a reviewer (editable: ${editable.join(', ') || 'nothing'})`,
        });
    }
  }
  if (issues.length) {
    throw invalidInput(DecisioningErrorCode.InvalidReviewDecision, 'invalid edits', issues);
  }
}
