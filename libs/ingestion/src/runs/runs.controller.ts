import { RunStates, type RunState } from '@baton/contracts';
import { RunQueries, type RunSummary, type RunView } from '@baton/platform-database';
import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IngestionErrorCode, IngestionException, invalidRequest, type FieldIssue } from '../ingestion.exception';
import { StartRunUseCase } from '../start-run/start-run.use-case';
import { ErrorResponseDto, StartRunRequestDto, StartRunResponseDto } from './runs.dto';

@ApiTags('runs')
@Controller()
export class RunsController {
  constructor(
    private readonly startRun: StartRunUseCase,
    private readonly runs: RunQueries,
  ) {}

  @Post('workflows/:workflowId/runs')
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a run by posting a trigger. Accepted runs are durable before the 202 is sent.' })
  @ApiBody({ type: StartRunRequestDto })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Repeating a key returns the run it started instead of a new one.' })
  @ApiResponse({ status: 202, type: StartRunResponseDto })
  @ApiResponse({ status: 400, type: ErrorResponseDto, description: 'The body or payload is invalid; `details.issues` names each field.' })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such workflow.' })
  async start(
    @Param('workflowId') workflowId: string,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<StartRunResponseDto> {
    const { orgId, payload } = parseStartRun(body);
    const result = await this.startRun.execute({
      workflowId,
      orgId,
      payload,
      source: { kind: 'api', name: 'admin-api' },
      dedupeKey: idempotencyKey || undefined,
    });
    return { runId: result.runId, status: 'accepted', duplicate: result.duplicate, href: `/runs/${result.runId}` };
  }

  @Get('runs')
  @ApiOperation({ summary: 'Recent runs, newest first, with their current state.' })
  @ApiQuery({ name: 'workflowId', required: false })
  @ApiQuery({ name: 'orgId', required: false })
  @ApiQuery({ name: 'state', required: false, enum: RunStates })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } })
  async list(
    @Query('workflowId') workflowId?: string,
    @Query('orgId') orgId?: string,
    @Query('state') state?: string,
    @Query('limit') limit?: string,
  ): Promise<{ runs: RunSummary[] }> {
    const issues: FieldIssue[] = [];
    if (state !== undefined && !RunStates.includes(state as RunState)) issues.push({ path: 'state', message: `must be one of ${RunStates.join(', ')}` });
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) issues.push({ path: 'limit', message: 'must be an integer from 1 to 500' });
    if (issues.length) throw invalidRequest(IngestionErrorCode.InvalidRequest, 'invalid query', issues);
    return { runs: await this.runs.list({ workflowId, orgId, state: state as RunState | undefined, limit: n }) };
  }

  @Get('runs/:runId')
  @ApiOperation({ summary: 'A run with its timeline: every stage, the decision and rules fired, each action and its verification.' })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  async get(@Param('runId') runId: string): Promise<RunView> {
    const run = /^[0-9a-f-]{36}$/i.test(runId) ? await this.runs.get(runId) : null;
    if (!run) throw new IngestionException(IngestionErrorCode.RunNotFound, `run ${runId} does not exist`, undefined, 'not_found');
    return run;
  }
}

function parseStartRun(body: unknown): { orgId: string; payload: Record<string, unknown> } {
  const issues: FieldIssue[] = [];
  if (!isObject(body)) {
    throw invalidRequest(IngestionErrorCode.InvalidRequest, 'invalid request body', [
      { path: '', message: 'must be a JSON object with orgId and payload' },
    ]);
  }
  if (typeof body.orgId !== 'string' || body.orgId.length === 0) issues.push({ path: '/orgId', message: 'is required and must be a non-empty string' });
  if (!isObject(body.payload)) issues.push({ path: '/payload', message: 'is required and must be a JSON object' });
  for (const key of Object.keys(body)) {
    if (key !== 'orgId' && key !== 'payload') issues.push({ path: `/${key}`, message: 'is not a known field (expected orgId and payload)' });
  }
  if (issues.length) throw invalidRequest(IngestionErrorCode.InvalidRequest, 'invalid request body', issues);
  return { orgId: body.orgId as string, payload: body.payload as Record<string, unknown> };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
