import { canAccessOrg, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import {
  describeIssues,
  isUuid,
  ListRoute,
  OrgScopedQuery,
  pageLimit,
  requestBody,
  requestQuery,
  ValidBody,
  type Accepted,
  type OrgScoped,
  type RequestIssue,
} from '@baton/platform-edge';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ActionErrorCode, ActionException } from '../action.exception';
import { BlockedRunRepository, type BlockedRun, type BlockedRunSummary } from './blocked-run.repository';
import { ResolveBlockedRunUseCase, type CloseReceipt, type RetryReceipt } from './resolve-blocked-run.use-case';

const MAX_REASON = 2000;
const REASON = `a non-empty string of at most ${MAX_REASON} characters`;

function invalid(summary: string): (issues: RequestIssue[]) => ActionException {
  return (issues) => new ActionException(ActionErrorCode.InvalidBlockedRunRequest, describeIssues(summary, issues), { issues });
}

/** `GET /blocked-runs`. Unknown parameters are ignored. */
export const blockedRunListQuery = requestQuery(
  z.object({
    workflowId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,99}$/, { error: 'must be a workflow id' })
      .optional(),
    limit: pageLimit({ fallback: 100 }),
  }),
  { invalid: invalid('invalid query') },
);

/** `POST /blocked-runs/:runId/retry`: everything optional. */
export const retryBlockedRunRequest = requestBody(
  z.object({
    reason: z
      .string({ error: REASON })
      .max(MAX_REASON, { error: REASON, abort: true })
      .trim()
      .min(1, { error: REASON })
      .optional()
      .meta({ description: 'What was fixed, for the audit log.', example: 'account reopened in billing' }),
    approve: z.boolean({ error: 'must be true or false' }).default(false).meta({
      description:
        'Take the decision as yours: the run acts as decided by you, which lets a write held back by the money limit go ahead. Audited.',
    }),
  }),
  { invalid: invalid('invalid retry') },
);

/** `POST /blocked-runs/:runId/close`. */
export const closeBlockedRunRequest = requestBody(
  z.object({
    reason: z
      .string({ error: `is required: ${REASON}` })
      .max(MAX_REASON, { error: `is required: ${REASON}`, abort: true })
      .trim()
      .min(1, { error: `is required: ${REASON}` })
      .meta({ description: 'Why the run is given up (required, audited).', example: 'customer withdrew the request' }),
  }),
  { invalid: invalid('invalid close') },
);

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

  @ListRoute(
    'Blocked runs, oldest first: the stage that blocked each and why; ' +
      'for action-stage blocks, the action that failed and those that had succeeded.',
  )
  async list(@OrgScopedQuery(blockedRunListQuery) query: OrgScoped<typeof blockedRunListQuery>): Promise<{ items: BlockedRunSummary[] }> {
    return { items: await this.blockedRuns.listAll(query) };
  }

  @Get(':runId')
  @ApiOperation({
    summary: 'One blocked run; for an action-stage block also the event it is retried from and the actions that had succeeded.',
  })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('runId') runId: string,
  ): Promise<BlockedRunSummary & { payload?: BlockedRun['payload']; actions?: BlockedRun['done'] }> {
    const [summary] = isUuid(runId) ? await this.blockedRuns.listAll({ runId: runId.toLowerCase(), limit: 1 }) : [];
    if (!summary || !canAccessOrg(principal, summary.orgId)) throw notFound(runId);
    const row = await this.blockedRuns.find(summary.runId);
    return row ? { ...summary, payload: row.payload, actions: row.done } : summary;
  }

  @Post(':runId/retry')
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Retries a blocked run once the data is fixed, from the stage that blocked it: enrichment (triggered again) ' +
      'or the action stage (decided again; actions that had succeeded are not called again). ' +
      'A run blocked at verification can only be closed (422). Audited.',
  })
  async retry(
    @CurrentPrincipal() principal: Principal,
    @Param('runId') runId: string,
    @ValidBody(retryBlockedRunRequest) body: Accepted<typeof retryBlockedRunRequest>,
  ): Promise<RetryReceipt> {
    if (!isUuid(runId)) throw notFound(runId);
    return this.resolve.retry(principal, runId.toLowerCase(), body.reason, body.approve);
  }

  @Post(':runId/close')
  @HttpCode(200)
  @ApiOperation({ summary: 'Gives a blocked run up: it ends failed with the reason given (required). Audited.' })
  async close(
    @CurrentPrincipal() principal: Principal,
    @Param('runId') runId: string,
    @ValidBody(closeBlockedRunRequest) body: Accepted<typeof closeBlockedRunRequest>,
  ): Promise<CloseReceipt> {
    if (!isUuid(runId)) throw notFound(runId);
    return this.resolve.close(principal, runId.toLowerCase(), body.reason);
  }
}

function notFound(runId: string): ActionException {
  return new ActionException(ActionErrorCode.BlockedRunNotFound, `run ${runId} is not blocked`, undefined, 'not_found');
}
