import { canAccessOrg, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ActionErrorCode, ActionException } from '../action.exception';
import { BlockedRunRepository, type BlockedRun, type BlockedRunSummary } from './blocked-run.repository';
import { ResolveBlockedRunUseCase, type CloseReceipt, type RetryReceipt } from './resolve-blocked-run.use-case';

const MAX_REASON = 2000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class RetryBlockedRunDto {
  @ApiPropertyOptional({ description: 'What was fixed, for the audit log.', example: 'account reopened in billing' })
  reason?: string;

  @ApiPropertyOptional({
    description: 'Take the decision as yours: the run acts as decided by you, which lets a write held back by the money limit go ahead. Audited.',
    default: false,
  })
  approve?: boolean;
}

export class CloseBlockedRunDto {
  @ApiProperty({ description: 'Why the run is given up (required, audited).', example: 'customer withdrew the request' })
  reason!: string;
}

/**
 * Blocked runs — a context lookup or an action refused as invalid, or a read-back that disagreed —
 * whichever stage blocked them: list them, retry one once the data is fixed (blocked at enrichment
 * or at the action stage), or close it. Operators of one organisation see and resolve its runs
 * only; every retry and close is audited.
 */
@ApiTags('blocked-runs')
@ApiBearerAuth()
@RequireRoles('operator')
@Controller('blocked-runs')
export class BlockedRunsController {
  constructor(
    private readonly blockedRuns: BlockedRunRepository,
    private readonly resolve: ResolveBlockedRunUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Blocked runs, oldest first: the stage that blocked each and why; for action-stage blocks, the action that failed and those that had succeeded.' })
  @ApiQuery({ name: 'workflowId', required: false })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } })
  async list(@CurrentPrincipal() principal: Principal, @Query('workflowId') workflowId?: string, @Query('limit') limit?: string): Promise<{ items: BlockedRunSummary[] }> {
    const issues: Array<{ path: string; message: string }> = [];
    if (workflowId !== undefined && !/^[a-z0-9][a-z0-9-]{0,99}$/.test(workflowId)) issues.push({ path: 'workflowId', message: 'must be a workflow id' });
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) issues.push({ path: 'limit', message: 'must be an integer from 1 to 500' });
    if (issues.length) throw new ActionException(ActionErrorCode.InvalidBlockedRunRequest, 'invalid query', { issues });
    return { items: await this.blockedRuns.listAll({ workflowId, orgId: principal.orgId === '*' ? undefined : principal.orgId, limit: n }) };
  }

  @Get(':runId')
  @ApiOperation({ summary: 'One blocked run; for an action-stage block also the event it is retried from and the actions that had succeeded.' })
  async get(@CurrentPrincipal() principal: Principal, @Param('runId') runId: string): Promise<BlockedRunSummary & { payload?: BlockedRun['payload']; actions?: BlockedRun['done'] }> {
    const [summary] = UUID.test(runId) ? await this.blockedRuns.listAll({ runId: runId.toLowerCase(), limit: 1 }) : [];
    if (!summary || !canAccessOrg(principal, summary.orgId)) throw notFound(runId);
    const row = await this.blockedRuns.find(summary.runId);
    return row ? { ...summary, payload: row.payload, actions: row.done } : summary;
  }

  @Post(':runId/retry')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Retries a blocked run once the data is fixed, from the stage that blocked it: enrichment (triggered again) or the action stage (decided again; actions that had succeeded are not called again). A run blocked at verification can only be closed (422). Audited.',
  })
  @ApiBody({ type: RetryBlockedRunDto, required: false })
  async retry(@CurrentPrincipal() principal: Principal, @Param('runId') runId: string, @Body() body: unknown): Promise<RetryReceipt> {
    if (!UUID.test(runId)) throw notFound(runId);
    const reason = reasonOf(body, false);
    const approve = (body as { approve?: unknown } | null | undefined)?.approve;
    if (approve !== undefined && typeof approve !== 'boolean') {
      throw new ActionException(ActionErrorCode.InvalidBlockedRunRequest, 'approve must be true or false', { issues: [{ path: '/approve', message: 'must be true or false' }] });
    }
    return this.resolve.retry(principal, runId.toLowerCase(), reason, approve ?? false);
  }

  @Post(':runId/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gives a blocked run up: it ends failed with the reason given (required). Audited.' })
  @ApiBody({ type: CloseBlockedRunDto })
  async close(@CurrentPrincipal() principal: Principal, @Param('runId') runId: string, @Body() body: unknown): Promise<CloseReceipt> {
    if (!UUID.test(runId)) throw notFound(runId);
    return this.resolve.close(principal, runId.toLowerCase(), reasonOf(body, true)!);
  }
}

function reasonOf(body: unknown, required: boolean): string | undefined {
  const reason = (body as { reason?: unknown } | null | undefined)?.reason;
  if (reason === undefined && !required) return undefined;
  if (typeof reason !== 'string' || !reason.trim() || reason.length > MAX_REASON) {
    throw new ActionException(ActionErrorCode.InvalidBlockedRunRequest, `reason ${required ? 'is required and ' : ''}must be a non-empty string of at most ${MAX_REASON} characters`, {
      issues: [{ path: '/reason', message: `${required ? 'is required: ' : ''}a non-empty string of at most ${MAX_REASON} characters` }],
    });
  }
  return reason.trim();
}

function notFound(runId: string): ActionException {
  return new ActionException(ActionErrorCode.BlockedRunNotFound, `run ${runId} is not blocked`, undefined, 'not_found');
}
