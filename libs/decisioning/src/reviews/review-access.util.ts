import { canAccessOrg, hasRole, holdsExactly, Roles, type Principal } from '@baton/platform-runtime';
import { DecisioningErrorCode, DecisioningException } from '../decisioning.exception';
import type { ReviewTask } from './review-task.repository';

/**
 * A reviewer sees and acts on their own organisation's tasks only; a task of another
 * organisation is reported as not found, so its existence does not leak across tenants.
 */
export function assertCanSee(principal: Principal, task: ReviewTask | null, reviewId: string): ReviewTask {
  if (!task || !canAccessOrg(principal, task.orgId)) {
    throw new DecisioningException(DecisioningErrorCode.ReviewNotFound, `review ${reviewId} does not exist`, undefined, 'not_found');
  }
  return task;
}

/** The owners a task has escalated to so far, in order. */
export function escalatedTo(task: ReviewTask): string[] {
  return task.escalationChain.slice(0, task.escalationLevel);
}

/**
 * Whether a principal is one of a task's deciders: for a full review, its designated approver (a
 * principal id, or a holder of `role:<name>`); otherwise its owner, or a member of its escalation
 * chain once it has escalated to them. Roles are held explicitly: admin is no approver.
 */
export function isDecider(principal: Principal, task: ReviewTask): boolean {
  if (task.queue === 'approval' && task.approver) {
    return task.approver.startsWith('role:') ? holdsExactly(principal, task.approver.slice(5)) : principal.id === task.approver;
  }
  return principal.id === task.owner || escalatedTo(task).includes(principal.id);
}

function deciders(task: ReviewTask): string {
  if (task.queue === 'approval' && task.approver) return `its approver ${task.approver}`;
  const chain = escalatedTo(task);
  return `its owner ${task.owner}${chain.length ? ` or those it escalated to (${chain.join(', ')})` : ''}`;
}

/**
 * Who may decide a task: its deciders, or a holder of the explicit `review-override` role, whose
 * decision is then audited as an override. Anyone else is refused, saying who may.
 * @returns whether the decision is an override.
 */
export function assertCanDecide(principal: Principal, task: ReviewTask): { override: boolean } {
  if (isDecider(principal, task)) return { override: false };
  if (holdsExactly(principal, Roles.reviewOverride)) return { override: true };
  throw new DecisioningException(
    DecisioningErrorCode.NotTheApprover,
    `review ${task.id} is decided by ${deciders(task)}; ${principal.id} may not decide it`,
    { owner: task.owner, approver: task.approver, escalatedTo: escalatedTo(task) },
    'forbidden',
  );
}

/**
 * Four eyes: whoever started the run, or objected to it, may not approve it — not as its owner,
 * not by override. Rejecting stays open to them.
 * @param startedBy the actor of the run's first transition (`person:<id>` when a person started it).
 */
export function assertFourEyes(principal: Principal, task: ReviewTask, startedBy: string | null): void {
  if (startedBy === actorOf(principal)) {
    throw new DecisioningException(
      DecisioningErrorCode.FourEyes,
      `${principal.id} started run ${task.runId} and may not approve it: a second person must`,
      { startedBy },
      'forbidden',
    );
  }
  if (task.objectedBy === principal.id) {
    throw new DecisioningException(
      DecisioningErrorCode.FourEyes,
      `${principal.id} objected to review ${task.id} and may not approve it: a second person must`,
      { objectedBy: task.objectedBy },
      'forbidden',
    );
  }
}

/** Whether one identity of a principal could see and decide the task if it owned it (a reassignment's target). */
export function couldOwn(identity: Principal, task: ReviewTask): boolean {
  if (!canAccessOrg(identity, task.orgId) || !hasRole(identity, Roles.reviewer)) return false;
  if (task.queue === 'approval' && task.approver) return isDecider(identity, task);
  return true;
}

export function actorOf(principal: Principal): string {
  return `person:${principal.id}`;
}
