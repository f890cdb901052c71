import { isUuid, ValidBody, ValidQuery } from '@baton/platform-edge';
import { RunQueries, type RunSummary, type RunView } from '@baton/platform-database';
import { canAccessOrg, CurrentPrincipal, READ_ROLES, RequireRoles, Roles, type Principal } from '@baton/platform-runtime';
import { Controller, Get, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IngestionErrorCode, IngestionException } from '../ingestion.exception';
import { DEFAULT_IDEMPOTENCY_TTL_MS, IDEMPOTENCY_OPTIONS, type IdempotencyOptions } from '../start-run/idempotency-options.types';
import { fingerprintOf, parseIdempotencyKey } from '../start-run/idempotency-key.util';
import { StartRunUseCase } from '../start-run/start-run.use-case';
import { ErrorResponseDto, runListQuery, startRunRequest, StartRunResponseDto, type RunListQuery, type StartRunRequest } from './runs.dto';

/** The route an Idempotency-Key of this controller is scoped to, with its sender. */
const START_RUN_ROUTE = 'POST /workflows/:workflowId/runs';

@ApiTags('runs')
@ApiBearerAuth()
@Controller()
export class RunsController {
  private readonly idempotencyTtlMs: number;

  constructor(
    private readonly startRun: StartRunUseCase,
    private readonly runs: RunQueries,
    @Inject(IDEMPOTENCY_OPTIONS) idempotency: IdempotencyOptions,
  ) {
    this.idempotencyTtlMs = idempotency.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  }

  @Post('workflows/:workflowId/runs')
  @HttpCode(202)
  @RequireRoles(Roles.submitter)
  @ApiOperation({
    summary:
      "Start a run by posting a trigger, as a submitter of the run's organisation. Accepted runs are durable before the 202 is sent.",
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Repeating a key with the same request answers the run it started (`duplicate: true`, header `Idempotent-Replayed: true`); ' +
      'with a different request, 422. Keys are scoped to the caller and this route, and expire 24 hours ' +
      '(BATON_IDEMPOTENCY_KEY_TTL_HOURS) after first use.',
  })
  @ApiResponse({ status: 202, type: StartRunResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'The body or payload is invalid; `details.issues` names each field.' })
  @ApiResponse({ status: 403, type: ErrorResponseDto, description: "The caller is not a submitter of the body's organisation." })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such workflow.' })
  @ApiResponse({ status: 422, type: ErrorResponseDto, description: 'The Idempotency-Key was already used for a different request.' })
  async start(
    @CurrentPrincipal() principal: Principal,
    @Param('workflowId') workflowId: string,
    @ValidBody(startRunRequest) body: StartRunRequest,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: { header(name: string, value: string): unknown },
  ): Promise<StartRunResponseDto> {
    const { orgId, payload } = body;
    if (!canAccessOrg(principal, orgId)) {
      throw new IngestionException(
        IngestionErrorCode.NotYourOrganisation,
        `${principal.id} may not start runs for ${JSON.stringify(orgId)}: it acts for ${principal.orgId}`,
        { orgId },
        'forbidden',
      );
    }
    const key = parseIdempotencyKey(idempotencyKey);
    const result = await this.startRun.execute({
      workflowId,
      orgId,
      payload,
      source: { kind: 'api', name: 'admin-api' },
      actor: `person:${principal.id}`,
      ...(key
        ? {
            idempotency: {
              principal: principal.id,
              route: START_RUN_ROUTE,
              key,
              fingerprint: fingerprintOf({ method: 'POST', path: `/workflows/${workflowId}/runs`, body: { orgId, payload } }),
              request: { workflowId, orgId, payload: fingerprintOf(payload) },
              ttlMs: this.idempotencyTtlMs,
            },
          }
        : {}),
    });
    if (result.duplicate) reply.header('idempotent-replayed', 'true');
    return { runId: result.runId, status: 'accepted', duplicate: result.duplicate, href: `/runs/${result.runId}` };
  }

  @Get('runs')
  @RequireRoles(...READ_ROLES)
  @ApiOperation({ summary: "Recent runs of the caller's organisation (any with `*`), newest first, with their current state." })
  async list(@CurrentPrincipal() principal: Principal, @ValidQuery(runListQuery) query: RunListQuery): Promise<{ runs: RunSummary[] }> {
    const { workflowId, orgId, state, limit } = query;
    if (orgId !== undefined && !canAccessOrg(principal, orgId)) {
      throw new IngestionException(
        IngestionErrorCode.NotYourOrganisation,
        `${principal.id} may not read the runs of ${JSON.stringify(orgId)}: it acts for ${principal.orgId}`,
        { orgId },
        'forbidden',
      );
    }
    const scope = principal.orgId === '*' ? orgId : principal.orgId;
    return { runs: await this.runs.list({ workflowId, orgId: scope, state, limit }) };
  }

  @Get('runs/:runId')
  @RequireRoles(...READ_ROLES)
  @ApiOperation({ summary: 'A run with its timeline: every stage, the decision and rules fired, each action and its verification.' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: "No such run in the caller's organisation." })
  async get(@CurrentPrincipal() principal: Principal, @Param('runId') runId: string): Promise<RunView> {
    const run = isUuid(runId) ? await this.runs.get(runId.toLowerCase()) : null;
    // Another organisation's run is reported as missing, so its existence does not leak.
    if (!run || !canAccessOrg(principal, run.orgId))
      throw new IngestionException(IngestionErrorCode.RunNotFound, `run ${runId} does not exist`, undefined, 'not_found');
    return run;
  }
}
