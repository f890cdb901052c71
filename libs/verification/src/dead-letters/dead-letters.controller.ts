import { CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { invalidRequest, type FieldIssue } from '../verification.exception';
import { canSee, notFound } from './dead-letter-access.util';
import { isUuid, originalTopicOfDeadLetterTopic } from './dead-letter-message.util';
import { deadLetterView } from './dead-letter-view.util';
import { DeadLetterRepository } from './dead-letter.repository';
import { DEAD_LETTER_STATUSES, type DeadLetterStatus } from './dead-letter.types';
import { DeadLetterDto, DeadLetterPageDto, DiscardRequestDto, RedriveRequestDto, RedriveResponseDto } from './dead-letters.dto';
import { DiscardDeadLetterUseCase } from './discard-dead-letter.use-case';
import { RedriveDeadLettersUseCase } from './redrive-dead-letters.use-case';

const MAX_REDRIVE = 100;
const MAX_REASON = 2000;

/**
 * The operators' view of dead letters: list, inspect, re-drive, discard. Every re-drive and
 * discard is audited with the operator as actor. Operators of one organisation see its dead
 * letters only.
 */
@ApiTags('dead-letters')
@ApiBearerAuth()
@RequireRoles('operator')
@Controller('dead-letters')
export class DeadLettersController {
  constructor(
    private readonly deadLetters: DeadLetterRepository,
    private readonly redriveDeadLetters: RedriveDeadLettersUseCase,
    private readonly discardDeadLetter: DiscardDeadLetterUseCase,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Dead letters, newest first, a page at a time.' })
  @ApiQuery({ name: 'status', required: false, enum: DEAD_LETTER_STATUSES })
  @ApiQuery({ name: 'topic', required: false, description: 'The topic the messages failed on, e.g. baton.run.decided (or its dead-letter topic, baton.run.decided.dlq).' })
  @ApiQuery({ name: 'runId', required: false })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } })
  @ApiQuery({ name: 'cursor', required: false, description: '`nextCursor` of the previous page.' })
  @ApiResponse({ status: 200, type: DeadLetterPageDto })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query('status') status?: string,
    @Query('topic') topic?: string,
    @Query('runId') runId?: string,
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
  ): Promise<DeadLetterPageDto> {
    const issues: FieldIssue[] = [];
    if (status !== undefined && !DEAD_LETTER_STATUSES.includes(status as DeadLetterStatus)) issues.push({ path: 'status', message: `must be one of ${DEAD_LETTER_STATUSES.join(', ')}` });
    if (topic !== undefined && (typeof topic !== 'string' || !topic)) issues.push({ path: 'topic', message: 'must be a topic name' });
    if (runId !== undefined && !isUuid(runId)) issues.push({ path: 'runId', message: 'must be a UUID' });
    const n = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) issues.push({ path: 'limit', message: 'must be an integer from 1 to 500' });
    if (cursor !== undefined && !/^\d{1,18}$/.test(cursor)) issues.push({ path: 'cursor', message: 'must be the nextCursor of a previous page' });
    if (issues.length) throw invalidRequest('invalid query', issues);
    return this.deadLetters.list({
      status: status as DeadLetterStatus | undefined,
      // The dead-letter topic's name finds the same dead letters as the topic they failed on.
      topic: topic === undefined ? undefined : originalTopicOfDeadLetterTopic(topic),
      runId: runId?.toLowerCase(),
      orgId: principal.orgId === '*' ? undefined : principal.orgId,
      limit: n,
      before: cursor,
    });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dead letter in full: value (parsed when JSON), headers, reason, and its failure history across re-drives.' })
  @ApiResponse({ status: 200, type: DeadLetterDto })
  @ApiResponse({ status: 404, description: 'No such dead letter.' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DeadLetterDto> {
    const letter = isUuid(id) ? await this.deadLetters.get(id.toLowerCase()) : null;
    if (!letter || !canSee(principal, letter)) throw notFound([id]);
    const [ancestors, descendants, sameKey] = await Promise.all([this.deadLetters.ancestors(letter.id), this.deadLetters.descendants(letter.id), this.deadLetters.sameKey(letter)]);
    return deadLetterView(letter, { ancestors, descendants, sameKey });
  }

  @Post('redrive')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Re-drive dead letters, all or none: each original value goes back to the topic it failed on with the same key, fresh headers and attempts from 1; a failed run moves back so its consumer acts again. Audited.',
  })
  @ApiBody({ type: RedriveRequestDto })
  @ApiResponse({ status: 200, type: RedriveResponseDto })
  @ApiResponse({ status: 400, description: 'The body is invalid; `details.issues` names each field.' })
  @ApiResponse({ status: 404, description: 'One of the dead letters does not exist.' })
  @ApiResponse({ status: 409, description: 'One of the dead letters was already re-driven or discarded.' })
  @ApiResponse({ status: 422, description: 'One of the values is not JSON, so no consumer could ever read it.' })
  async redrive(@CurrentPrincipal() principal: Principal, @Body() body: unknown): Promise<RedriveResponseDto> {
    const b = objectBody(body);
    const issues = [...unknownFields(b, ['ids', 'reason']), ...idsIssues(b['ids']), ...reasonIssues(b['reason'])];
    if (issues.length) throw invalidRequest('invalid re-drive', issues);
    const redriven = await this.redriveDeadLetters.execute(principal, { ids: b['ids'] as string[], reason: (b['reason'] as string).trim() });
    return { redriven };
  }

  @Post(':id/discard')
  @HttpCode(200)
  @ApiOperation({ summary: 'Discard a dead letter with a reason: kept for the record, never re-driven. Audited.' })
  @ApiBody({ type: DiscardRequestDto })
  @ApiResponse({ status: 200, type: DeadLetterDto })
  @ApiResponse({ status: 400, description: 'The reason is missing.' })
  @ApiResponse({ status: 404, description: 'No such dead letter.' })
  @ApiResponse({ status: 409, description: 'It was already re-driven or discarded.' })
  async discard(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<DeadLetterDto> {
    const b = objectBody(body);
    const issues = [...unknownFields(b, ['reason']), ...reasonIssues(b['reason'])];
    if (issues.length) throw invalidRequest('invalid discard', issues);
    if (!isUuid(id)) throw notFound([id]);
    const letter = await this.discardDeadLetter.execute(principal, { id, reason: (b['reason'] as string).trim() });
    const [ancestors, descendants, sameKey] = await Promise.all([this.deadLetters.ancestors(letter.id), this.deadLetters.descendants(letter.id), this.deadLetters.sameKey(letter)]);
    return deadLetterView(letter, { ancestors, descendants, sameKey });
  }
}

function objectBody(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function unknownFields(body: Record<string, unknown>, known: string[]): FieldIssue[] {
  return Object.keys(body)
    .filter((k) => !known.includes(k))
    .map((k) => ({ path: `/${k}`, message: `is not a known field (expected ${known.join(' and ')})` }));
}

function idsIssues(ids: unknown): FieldIssue[] {
  if (!Array.isArray(ids) || ids.length === 0) return [{ path: '/ids', message: 'is required: a non-empty list of dead-letter ids' }];
  if (ids.length > MAX_REDRIVE) return [{ path: '/ids', message: `may hold at most ${MAX_REDRIVE} ids per re-drive` }];
  return ids.flatMap((id, i) => (isUuid(id) ? [] : [{ path: `/ids/${i}`, message: 'must be a dead-letter id (UUID)' }]));
}

function reasonIssues(reason: unknown): FieldIssue[] {
  if (typeof reason !== 'string' || !reason.trim()) return [{ path: '/reason', message: 'is required: say why, for the audit log' }];
  if (reason.length > MAX_REASON) return [{ path: '/reason', message: `must be at most ${MAX_REASON} characters` }];
  return [];
}
