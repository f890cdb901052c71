import { canAccessOrg, hasRole, type Principal } from '@baton/platform-runtime';
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

/** Full review: only the designated approver — a principal id or `role:<name>` — or an admin decides. */
export function assertCanDecide(principal: Principal, task: ReviewTask): void {
  if (task.queue !== 'approval' || !task.approver) return;
  const approver = task.approver;
  const allowed = approver.startsWith('role:') ? hasRole(principal, approver.slice(5)) : principal.id === approver || hasRole(principal, 'admin');
  if (!allowed) {
    throw new DecisioningException(
      DecisioningErrorCode.NotTheApprover,
      `review ${task.id} needs full review by ${approver}; ${principal.id} may not decide it`,
      { approver },
      'forbidden',
    );
  }
}

export function actorOf(principal: Principal): string {
  return `person:${principal.id}`;
}
