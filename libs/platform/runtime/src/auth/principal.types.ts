/** Who is calling: resolved from an API key, recorded as the actor of what they do. */
export interface Principal {
  /** Stable id, usually an email; audit entries name `person:<id>`. */
  id: string;
  /** Organisation whose data the principal may see and decide; `*` for all. */
  orgId: string;
  /** e.g. reviewer, operator, admin, or a workflow-specific role such as finance-approver. */
  roles: string[];
}

export function canAccessOrg(principal: Principal, orgId: string): boolean {
  return principal.orgId === '*' || principal.orgId === orgId;
}

export function hasRole(principal: Principal, ...roles: string[]): boolean {
  return principal.roles.includes('admin') || roles.some((r) => principal.roles.includes(r));
}
