import { CurrentPrincipal, RequireRoles, runVariables, WorkflowCatalog, type Principal } from '@baton/platform-runtime';
import {
  isUuid,
  ListRoute,
  oneOf,
  OrgScopedQuery,
  orgScope,
  requestBody,
  requestQuery,
  requiredText,
  ValidBody,
  type Accepted,
  type OrgScoped,
} from '@baton/platform-edge';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { plannedActions, type PlannedAction } from '../decide-run/decision-engine.util';
import { DecisioningErrorCode, DecisioningException, invalidInput, type FieldIssue } from '../decisioning.exception';
import { assertCanSee } from './review-access.util';
import { ReviewAssignmentUseCase } from './review-assignment.use-case';
import { ReviewTaskRepository, type ReviewTask } from './review-task.repository';
import { ResolveReviewUseCase } from './resolve-review.use-case';

const STATUSES = ['open', 'approved', 'rejected'] as const;
const QUEUES = ['suggested', 'manual', 'fast_track', 'approval'] as const;

/** `GET /reviews`. Unknown parameters are ignored. */
export const reviewListQuery = requestQuery(
  z.object({ status: oneOf(STATUSES).optional(), queue: oneOf(QUEUES).optional(), owner: z.string().optional() }),
  {
    invalid: (issues) => invalid('invalid query', issues),
  },
);

const argumentEdits = z
  .record(z.string(), z.record(z.string(), z.string({ error: 'must be text' }), { error: 'must be an object of argument name to text' }), {
    error: 'must be an object of action id to changed arguments',
  })
  .meta({
    description: 'For drafts: changed message arguments by action id, e.g. {"confirmation": {"body": "..."}}.',
    example: { confirmation: { body: 'Dear customer, ...' } },
  });

/** `POST /reviews/:id/decision`. */
export const reviewDecisionRequest = requestBody(
  z.object({
    verdict: z.enum(['approve', 'reject'], { error: 'must be "approve" or "reject"' }),
    rationale: requiredText('why').meta({ example: 'Customer is a long-standing account; refund approved.' }),
    suggestion: z
      .string({ error: 'must be a non-empty string' })
      .trim()
      .min(1, { error: 'must be a non-empty string' })
      .optional()
      .meta({ description: 'Replaces the suggested value (team, owner) when approving: the "edit" of a review.' }),
    edits: argumentEdits.optional(),
  }),
  { invalid: (issues) => invalid('invalid review decision', issues) },
);

/** `POST /reviews/:id/objection`. */
export const reviewObjectionRequest = requestBody(
  z.object({ reason: requiredText('why you object').meta({ example: 'Customer has an open dispute; needs a look first.' }) }),
  {
    invalid: (issues) => invalid('invalid objection', issues),
  },
);

/** `POST /reviews/:id/reassign`. */
export const reviewReassignRequest = requestBody(
  z.object({
    owner: requiredText('who takes it over').meta({ example: 'head-of-finance@acme.example' }),
    reason: requiredText('why').meta({ example: 'Out of office this week.' }),
  }),
  { invalid: (issues) => invalid('invalid reassignment', issues) },
);

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

  @ListRoute(
    "Review tasks of the caller's organisation, oldest first, " +
      'each with its context pack (trigger, context, proposal with rules and confidence).',
  )
  async list(@OrgScopedQuery(reviewListQuery) query: OrgScoped<typeof reviewListQuery>): Promise<{ reviews: ReviewTask[] }> {
    return { reviews: await this.reviews.list(query) };
  }

  @Get('mine')
  @ApiOperation({ summary: 'My queue: open tasks owned by or claimed by the caller.' })
  async mine(@CurrentPrincipal() principal: Principal): Promise<{ reviews: ReviewTask[] }> {
    const open = await this.reviews.list({ status: 'open', orgId: orgScope(principal), limit: 500 });
    return { reviews: open.filter((t) => t.owner === principal.id || t.claimedBy === principal.id) };
  }

  @Get(':reviewId')
  @ApiOperation({
    summary:
      'One review task with its context pack, and `plan`: the actions the run would take if approved ' +
      '(system, operation, arguments as they would be sent, and the record read from that system), ' +
      'computed from the workflow as loaded now.',
  })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('reviewId') reviewId: string,
  ): Promise<ReviewTask & { plan: PlannedAction[] | null }> {
    const task = assertCanSee(principal, isUuid(reviewId) ? await this.reviews.get(reviewId) : null, reviewId);
    return { ...task, plan: this.planOf(task) };
  }

  /** Null when the workflow is no longer loaded, or was changed since the task was made (its plan would not be this run's). */
  private planOf(task: ReviewTask): PlannedAction[] | null {
    const workflow = this.catalog.get(task.workflowId);
    if (!workflow || workflow.version !== task.workflowVersion) return null;
    const vars = runVariables(
      {
        runid: task.runId,
        workflowid: task.workflowId,
        orgid: task.orgId,
        data: { trigger: task.trigger, context: task.context, decision: task.proposal },
      },
      this.catalog,
    );
    return plannedActions(workflow, vars);
  }

  @Post(':reviewId/decision')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Approve, reject, or approve with an edited suggestion, with a rationale; the run continues or ends accordingly.',
  })
  async decide(
    @CurrentPrincipal() principal: Principal,
    @Param('reviewId') reviewId: string,
    @ValidBody(reviewDecisionRequest) body: Accepted<typeof reviewDecisionRequest>,
  ): Promise<ReviewTask> {
    return this.resolveReview.execute(principal, { reviewId: uuidOr404(reviewId), ...body });
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
  async object(
    @CurrentPrincipal() principal: Principal,
    @Param('reviewId') reviewId: string,
    @ValidBody(reviewObjectionRequest) body: Accepted<typeof reviewObjectionRequest>,
  ): Promise<ReviewTask> {
    return this.assignment.object(principal, uuidOr404(reviewId), body.reason);
  }

  @Post(':reviewId/reassign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the task to someone else; they are notified.' })
  async reassign(
    @CurrentPrincipal() principal: Principal,
    @Param('reviewId') reviewId: string,
    @ValidBody(reviewReassignRequest) body: Accepted<typeof reviewReassignRequest>,
  ): Promise<ReviewTask> {
    return this.assignment.reassign(principal, uuidOr404(reviewId), body.owner, body.reason);
  }
}

function uuidOr404(reviewId: string): string {
  if (!isUuid(reviewId))
    throw new DecisioningException(DecisioningErrorCode.ReviewNotFound, `review ${reviewId} does not exist`, undefined, 'not_found');
  return reviewId;
}

function invalid(summary: string, issues: FieldIssue[]): DecisioningException {
  return invalidInput(DecisioningErrorCode.InvalidReviewDecision, summary, issues);
}
