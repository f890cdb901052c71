/** Who is calling: resolved from an API key, recorded as the actor of what they do. */
export interface Principal {
  /** Stable id, usually an email; audit entries name `person:<id>`. */
  id: string;
  /** Organisation whose data the principal may see and decide; `*` for all. */
  orgId: string;
  /** Roles from `Roles`, or a workflow-specific one such as finance-approver (`approver: role:finance-approver`). */
  roles: string[];
}

/**
 * The roles Baton's own routes know. A key may also carry roles a workflow names (an approver
 * `role:<name>`); those grant nothing else.
 */
export const Roles = {
  /** Reads workflows and the runs of its organisation. */
  viewer: 'viewer',
  /** Starts runs for its organisation, and reads workflows and runs. */
  submitter: 'submitter',
  /** Sees its organisation's review tasks and decides those it owns (or that escalated to it); reads runs. */
  reviewer: 'reviewer',
  /** Operations: dead letters, blocked runs, the action queue, circuits, classifiers, trigger sources; reads runs and reviews. */
  operator: 'operator',
  /** Every route any other role may use. Not an override of separation of duties. */
  admin: 'admin',
  /** Decides review tasks it does not own, audited as an override; still never its own runs. */
  reviewOverride: 'review-override',
} as const;

/** The roles that may read workflows and runs. */
export const READ_ROLES = [Roles.viewer, Roles.submitter, Roles.reviewer, Roles.operator] as const;

export function canAccessOrg(principal: Principal, orgId: string): boolean {
  return principal.orgId === '*' || principal.orgId === orgId;
}

/** The organisation whose data the principal's reads are limited to: its own, or none (undefined) for a principal of all (`*`). */
export function orgScope(principal: Principal): string | undefined {
  return principal.orgId === '*' ? undefined : principal.orgId;
}

/** Whether the principal holds one of the roles; admin holds them all. */
export function hasRole(principal: Principal, ...roles: string[]): boolean {
  return principal.roles.includes(Roles.admin) || roles.some((r) => principal.roles.includes(r));
}

/** Whether the principal holds the role itself, as separation-of-duties rules require (admin does not count). */
export function holdsExactly(principal: Principal, role: string): boolean {
  return principal.roles.includes(role);
}
