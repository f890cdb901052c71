import type { Api } from './api';

export interface RuleResult {
  id: string;
  description?: string;
  fired: boolean;
  then: string;
  error?: string;
}

export interface Draft {
  actionId: string;
  reasons: string[];
  preview: Record<string, unknown>;
  /** Fields a reviewer may change, when the server says; otherwise the message's content fields. */
  editable?: string[];
}

export interface Proposal {
  outcome: string;
  tier: string;
  confidence: number;
  suggestion?: string | null;
  rulesEvaluated: RuleResult[];
  rulesFired: string[];
  reason: string;
  decidedBy: { kind: string; id: string };
  approval?: string;
  thresholds?: { auto: number; suggest: number; source: string };
  drafts?: Draft[];
  classifier?: { modelId: string; version: number; label: string; confidence: number; ranking: Array<{ label: string; p: number }> };
}

export interface PlannedAction {
  actionId: string;
  connector: string;
  operation: string;
  args: Record<string, unknown>;
  runs: boolean | null;
  message: boolean;
  current: Record<string, unknown> | null;
}

export interface ReviewTask {
  id: string;
  runId: string;
  workflowId: string;
  workflowVersion: number;
  orgId: string;
  queue: string;
  owner: string;
  status: 'open' | 'approved' | 'rejected';
  approval: string;
  approver: string | null;
  trigger: Record<string, unknown>;
  context: Record<string, unknown>;
  proposal: Proposal;
  createdAt: string;
  deadline: string | null;
  autoApproveAt: string | null;
  claimedBy: string | null;
  escalationChain: string[];
  escalationLevel: number;
  objectedBy: string | null;
  objection: string | null;
  resolvedBy: string | null;
  rationale: string | null;
  resolvedAt: string | null;
  plan?: PlannedAction[] | null;
}

export const QUEUES: Record<string, string> = {
  suggested: 'Suggested',
  manual: 'Manual',
  fast_track: 'Fast-track',
  approval: 'Full review',
  draft: 'Draft',
};

/** The inbox's order: my tasks (oldest first), then the rest of my team's open queue. */
export async function inboxOrder(api: Api): Promise<{ mine: ReviewTask[]; team: ReviewTask[] }> {
  const [mine, open] = await Promise.all([
    api.get<{ reviews: ReviewTask[] }>('/reviews/mine'),
    api.get<{ reviews: ReviewTask[] }>('/reviews?status=open'),
  ]);
  const ids = new Set(mine.reviews.map((r) => r.id));
  return { mine: mine.reviews, team: open.reviews.filter((r) => !ids.has(r.id)) };
}

/** A line that tells tasks apart: the trigger's plain values, e.g. "900 · Wrong order · cus_northwind". */
export function summaryOf(task: Pick<ReviewTask, 'trigger'>): string {
  const values = Object.values(task.trigger).filter((v) => typeof v === 'string' || typeof v === 'number');
  return values
    .slice(0, 4)
    .map((v) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 57)}…` : String(v)))
    .join(' · ');
}

/** Message fields a reviewer may edit by default: the content, never the recipients or the channel. */
export function editableFields(draft: Draft): string[] {
  if (draft.editable) return draft.editable;
  return ['subject', 'body'].filter((field) => field in draft.preview);
}
