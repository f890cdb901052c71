import { ApiKeyGuard, canAccessOrg, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ActionErrorCode, ActionException } from '../action.exception';
import { BlockedRunRepository, type BlockedRun } from './blocked-run.repository';
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

/** A blocked run as operators see it: the event stays out, what it needs in. */
export type BlockedRunView = Omit<BlockedRun, 'payload' | 'done'> & { done: string[] };

/**
 * Runs the action stage blocked on a data failure (a target refused the request as invalid, or an
 * argument could not be computed): list them, retry one once the data is fixed, or close it.
 * Operators of one organisation see and resolve its runs only; every retry and close is audited.
 */
@ApiTags('blocked-runs')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireRoles('operator')
@Controller('blocked-runs')
export class BlockedRunsController {
  constructor(
    private readonly blockedRuns: BlockedRunRepository,
    private readonly resolve: ResolveBlockedRunUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Runs blocked at the action stage, oldest first, with the action that failed and why.' })
  @ApiQuery({ name: 'workflowId', required: false })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } })
  async list(@CurrentPrincipal() principal: Principal, @Query('workflowId') workflowId?: string, @Query('limit') limit?: string): Promise<{ items: BlockedRunView[] }> {
    const issues: Array<{ path: string; message: string }> = [];
    if (workflowId !== undefined && !/^[a-z0-9][a-z0-9-]{0,99}$/.test(workflowId)) issues.push({ path: 'workflowId', message: 'must be a workflow id' });
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) issues.push({ path: 'limit', message: 'must be an integer from 1 to 500' });
    if (issues.length) throw new ActionException(ActionErrorCode.InvalidBlockedRunRequest, 'invalid query', { issues });
    const items = await this.blockedRuns.list({ workflowId, orgId: principal.orgId === '*' ? undefined : principal.orgId, limit: n });
    return { items: items.map(viewOf) };
  }

  @Get(':runId')
  @ApiOperation({ summary: 'One blocked run, with the actions that had succeeded before the block.' })
  async get(@CurrentPrincipal() principal: Principal, @Param('runId') runId: string): Promise<BlockedRun> {
    const row = UUID.test(runId) ? await this.blockedRuns.find(runId.toLowerCase()) : null;
    if (!row || !canAccessOrg(principal, row.orgId)) throw notFound(runId);
    return row;
  }

  @Post(':runId/retry')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Retries a blocked run once the data is fixed: back to decided, acted on again by the action stage; actions that had succeeded are not called again. Audited.',
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

function viewOf(row: BlockedRun): BlockedRunView {
  const { payload: _payload, done, ...rest } = row;
  return { ...rest, done: done.map((d) => d.id) };
}

function notFound(runId: string): ActionException {
  return new ActionException(ActionErrorCode.BlockedRunNotFound, `run ${runId} is not blocked at the action stage`, undefined, 'not_found');
}
