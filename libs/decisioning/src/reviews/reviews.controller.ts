import { CurrentPrincipal, RequireRoles, runVariables, WorkflowCatalog, type Principal } from '@baton/platform-runtime';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { plannedActions, type PlannedAction } from '../decide-run/decision-engine.util';
import { DecisioningErrorCode, DecisioningException, invalidInput, type FieldIssue } from '../decisioning.exception';
import { assertCanSee } from './review-access.util';
import { ReviewAssignmentUseCase } from './review-assignment.use-case';
import { ReviewTaskRepository, type ReviewTask } from './review-task.repository';
import { ResolveReviewUseCase } from './resolve-review.use-case';

export class ReviewDecisionDto {
  @ApiProperty({ enum: ['approve', 'reject'] })
  verdict!: 'approve' | 'reject';

  @ApiProperty({ example: 'Customer is a long-standing account; refund approved.' })
  rationale!: string;

  @ApiPropertyOptional({ description: 'Replaces the suggested value (team, owner) when approving: the "edit" of a review.' })
  suggestion?: string;

  @ApiPropertyOptional({ description: 'For drafts: changed message arguments by action id, e.g. {"confirmation": {"body": "..."}}.', example: { confirmation: { body: 'Dear customer, ...' } } })
  edits?: Record<string, Record<string, string>>;
}

export class ReviewObjectionDto {
  @ApiProperty({ example: 'Customer has an open dispute; needs a look first.' })
  reason!: string;
}

export class ReviewReassignDto {
  @ApiProperty({ example: 'head-of-finance@acme.example' })
  owner!: string;

  @ApiProperty({ example: 'Out of office this week.' })
  reason!: string;
}

const STATUSES = ['open', 'approved', 'rejected'];
const QUEUES = ['suggested', 'manual', 'fast_track', 'approval'];

/**
 * The review API. Callers authenticate with an API key mapped to a principal; a reviewer sees
 * and decides only their organisation's tasks, and every decision is audited with the principal.
 */
@ApiTags('reviews')
@ApiBearerAuth()
@RequireRoles('reviewer', 'operator', 'review-override')
@Controller('reviews')
export class ReviewsController {
  constructor(
    private readonly reviews: ReviewTaskRepository,
    private readonly resolveReview: ResolveReviewUseCase,
    private readonly assignment: ReviewAssignmentUseCase,
    private readonly catalog: WorkflowCatalog,
  ) {}

  @Get()
  @ApiOperation({ summary: "Review tasks of the caller's organisation, oldest first, each with its context pack (trigger, context, proposal with rules and confidence)." })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'queue', required: false, enum: QUEUES })
  @ApiQuery({ name: 'owner', required: false })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('status') status?: string,
    @Query('queue') queue?: string,
    @Query('owner') owner?: string,
  ): Promise<{ reviews: ReviewTask[] }> {
    const issues = [
      ...(status !== undefined && !STATUSES.includes(status) ? [{ path: 'status', message: `must be one of ${STATUSES.join(', ')}` }] : []),
      ...(queue !== undefined && !QUEUES.includes(queue) ? [{ path: 'queue', message: `must be one of ${QUEUES.join(', ')}` }] : []),
    ];
    if (issues.length) throw invalid('invalid query', issues);
    const orgId = principal.orgId === '*' ? undefined : principal.orgId;
    return { reviews: await this.reviews.list({ status, queue, owner, orgId }) };
  }

  @Get('mine')
  @ApiOperation({ summary: 'My queue: open tasks owned by or claimed by the caller.' })
  async mine(@CurrentPrincipal() principal: Principal): Promise<{ reviews: ReviewTask[] }> {
    const open = await this.reviews.list({ status: 'open', orgId: principal.orgId === '*' ? undefined : principal.orgId, limit: 500 });
    return { reviews: open.filter((t) => t.owner === principal.id || t.claimedBy === principal.id) };
  }

  @Get(':reviewId')
  @ApiOperation({
    summary:
      'One review task with its context pack, and `plan`: the actions the run would take if approved (system, operation, arguments as they would be sent, and the record read from that system), computed from the workflow as loaded now.',
  })
  async get(@CurrentPrincipal() principal: Principal, @Param('reviewId') reviewId: string): Promise<ReviewTask & { plan: PlannedAction[] | null }> {
    const task = assertCanSee(principal, isUuid(reviewId) ? await this.reviews.get(reviewId) : null, reviewId);
    return { ...task, plan: this.planOf(task) };
  }

  /** Null when the workflow is no longer loaded, or was changed since the task was made (its plan would not be this run's). */
  private planOf(task: ReviewTask): PlannedAction[] | null {
    const workflow = this.catalog.get(task.workflowId);
    if (!workflow || workflow.version !== task.workflowVersion) return null;
    const vars = runVariables({ runid: task.runId, workflowid: task.workflowId, orgid: task.orgId, data: { trigger: task.trigger, context: task.context, decision: task.proposal } }, this.catalog);
    return plannedActions(workflow, vars);
  }

  @Post(':reviewId/decision')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve, reject, or approve with an edited suggestion, with a rationale; the run continues or ends accordingly.' })
  @ApiBody({ type: ReviewDecisionDto })
  async decide(@CurrentPrincipal() principal: Principal, @Param('reviewId') reviewId: string, @Body() body: unknown): Promise<ReviewTask> {
    const b = objectBody(body);
    const issues = [
      ...(b.verdict !== 'approve' && b.verdict !== 'reject' ? [{ path: '/verdict', message: 'must be "approve" or "reject"' }] : []),
      ...requiredText(b, 'rationale', 'why'),
      ...(b.suggestion !== undefined && (typeof b.suggestion !== 'string' || !b.suggestion.trim()) ? [{ path: '/suggestion', message: 'must be a non-empty string' }] : []),
      ...editIssues(b.edits),
    ];
    if (issues.length) throw invalid('invalid review decision', issues);
    return this.resolveReview.execute(principal, {
      reviewId: uuidOr404(reviewId),
      verdict: b.verdict as 'approve' | 'reject',
      rationale: (b.rationale as string).trim(),
      ...(b.suggestion !== undefined ? { suggestion: (b.suggestion as string).trim() } : {}),
      ...(b.edits !== undefined ? { edits: b.edits as Record<string, Record<string, string>> } : {}),
    });
  }

  @Post(':reviewId/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Claim a task: it is yours, and it no longer escalates.' })
  async claim(@CurrentPrincipal() principal: Principal, @Param('reviewId') reviewId: string): Promise<ReviewTask> {
    return this.assignment.claim(principal, uuidOr404(reviewId));
  }

  @Post(':reviewId/objection')
  @HttpCode(200)
  @ApiOperation({ summary: 'Object to a fast-track approval before its quiet period ends; it then needs an explicit decision.' })
  @ApiBody({ type: ReviewObjectionDto })
  async object(@CurrentPrincipal() principal: Principal, @Param('reviewId') reviewId: string, @Body() body: unknown): Promise<ReviewTask> {
    const b = objectBody(body);
    const issues = requiredText(b, 'reason', 'why you object');
    if (issues.length) throw invalid('invalid objection', issues);
    return this.assignment.object(principal, uuidOr404(reviewId), (b.reason as string).trim());
  }

  @Post(':reviewId/reassign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the task to someone else; they are notified.' })
  @ApiBody({ type: ReviewReassignDto })
  async reassign(@CurrentPrincipal() principal: Principal, @Param('reviewId') reviewId: string, @Body() body: unknown): Promise<ReviewTask> {
    const b = objectBody(body);
    const issues = [...requiredText(b, 'owner', 'who takes it over'), ...requiredText(b, 'reason', 'why')];
    if (issues.length) throw invalid('invalid reassignment', issues);
    return this.assignment.reassign(principal, uuidOr404(reviewId), (b.owner as string).trim(), (b.reason as string).trim());
  }
}

function editIssues(edits: unknown): Array<{ path: string; message: string }> {
  if (edits === undefined) return [];
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(edits)) return [{ path: '/edits', message: 'must be an object of action id to changed arguments' }];
  return Object.entries(edits).flatMap(([actionId, args]) =>
    !isMap(args)
      ? [{ path: `/edits/${actionId}`, message: 'must be an object of argument name to text' }]
      : Object.entries(args).filter(([, v]) => typeof v !== 'string').map(([name]) => ({ path: `/edits/${actionId}/${name}`, message: 'must be text' })),
  );
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

function uuidOr404(reviewId: string): string {
  if (!isUuid(reviewId)) throw new DecisioningException(DecisioningErrorCode.ReviewNotFound, `review ${reviewId} does not exist`, undefined, 'not_found');
  return reviewId;
}

function objectBody(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function requiredText(body: Record<string, unknown>, field: string, what: string): Array<{ path: string; message: string }> {
  const value = body[field];
  return typeof value === 'string' && value.trim() ? [] : [{ path: `/${field}`, message: `is required: ${what}` }];
}

function invalid(summary: string, issues: FieldIssue[]): DecisioningException {
  return invalidInput(DecisioningErrorCode.InvalidReviewDecision, summary, issues);
}
