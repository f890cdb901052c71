import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { DecisioningErrorCode, DecisioningException } from '../decisioning.exception';
import { ResolveReviewUseCase } from './resolve-review.use-case';
import { ReviewTaskRepository, type ReviewTask } from './review-task.repository';

export class ReviewDecisionDto {
  @ApiProperty({ enum: ['approve', 'reject'] })
  verdict!: 'approve' | 'reject';

  @ApiProperty({ example: 'finance-lead@acme.example', description: 'Who decides; recorded as the actor in the audit log.' })
  reviewer!: string;

  @ApiProperty({ example: 'Customer is a long-standing account; refund approved.' })
  rationale!: string;

  @ApiPropertyOptional({ description: 'Replaces the suggested value (team, owner) when approving.' })
  suggestion?: string;
}

@ApiTags('reviews')
@Controller('reviews')
export class ReviewsController {
  constructor(
    private readonly reviews: ReviewTaskRepository,
    private readonly resolveReview: ResolveReviewUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Review tasks, oldest first; each carries its context pack (trigger, context, proposal with rules and confidence).' })
  @ApiQuery({ name: 'status', required: false, enum: ['open', 'approved', 'rejected'] })
  @ApiQuery({ name: 'owner', required: false })
  @ApiQuery({ name: 'orgId', required: false })
  async list(@Query('status') status?: string, @Query('owner') owner?: string, @Query('orgId') orgId?: string): Promise<{ reviews: ReviewTask[] }> {
    if (status !== undefined && !['open', 'approved', 'rejected'].includes(status)) {
      throw new DecisioningException(DecisioningErrorCode.InvalidReviewDecision, 'status must be one of open, approved, rejected', { issues: [{ path: 'status', message: 'must be one of open, approved, rejected' }] });
    }
    return { reviews: await this.reviews.list({ status, owner, orgId }) };
  }

  @Get(':reviewId')
  @ApiOperation({ summary: 'One review task with its context pack.' })
  async get(@Param('reviewId') reviewId: string): Promise<ReviewTask> {
    const task = /^[0-9a-f-]{36}$/i.test(reviewId) ? await this.reviews.get(reviewId) : null;
    if (!task) throw new DecisioningException(DecisioningErrorCode.ReviewNotFound, `review ${reviewId} does not exist`, undefined, 'not_found');
    return task;
  }

  @Post(':reviewId/decision')
  @ApiOperation({ summary: 'Approve or reject with a rationale; the run continues or ends accordingly.' })
  @ApiBody({ type: ReviewDecisionDto })
  async decide(@Param('reviewId') reviewId: string, @Body() body: unknown): Promise<ReviewTask> {
    if (!/^[0-9a-f-]{36}$/i.test(reviewId)) throw new DecisioningException(DecisioningErrorCode.ReviewNotFound, `review ${reviewId} does not exist`, undefined, 'not_found');
    return this.resolveReview.execute({ reviewId, ...parseDecision(body) });
  }
}

function parseDecision(body: unknown): { verdict: 'approve' | 'reject'; reviewer: string; rationale: string; suggestion?: string } {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  const issues: Array<{ path: string; message: string }> = [];
  if (b.verdict !== 'approve' && b.verdict !== 'reject') issues.push({ path: '/verdict', message: 'must be "approve" or "reject"' });
  if (typeof b.reviewer !== 'string' || !b.reviewer.trim()) issues.push({ path: '/reviewer', message: 'is required: who decides' });
  if (typeof b.rationale !== 'string' || !b.rationale.trim()) issues.push({ path: '/rationale', message: 'is required: why' });
  if (b.suggestion !== undefined && typeof b.suggestion !== 'string') issues.push({ path: '/suggestion', message: 'must be a string' });
  if (issues.length) {
    throw new DecisioningException(
      DecisioningErrorCode.InvalidReviewDecision,
      `invalid review decision: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`,
      { issues },
    );
  }
  return {
    verdict: b.verdict as 'approve' | 'reject',
    reviewer: (b.reviewer as string).trim(),
    rationale: (b.rationale as string).trim(),
    ...(b.suggestion !== undefined ? { suggestion: b.suggestion as string } : {}),
  };
}
