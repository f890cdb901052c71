import { CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { isUuid, ListRoute, OrgScopedQuery, ValidBody, type OrgScoped } from '@baton/platform-edge';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { canSee, notFound } from './dead-letter-access.util';
import { originalTopicOfDeadLetterTopic } from './dead-letter-message.util';
import { deadLetterView } from './dead-letter-view.util';
import { DeadLetterRepository } from './dead-letter.repository';
import {
  DeadLetterDto,
  DeadLetterPageDto,
  deadLetterListQuery,
  discardRequest,
  redriveRequest,
  RedriveResponseDto,
  type DiscardRequest,
  type RedriveRequest,
} from './dead-letters.dto';
import { DiscardDeadLetterUseCase } from './discard-dead-letter.use-case';
import { RedriveDeadLettersUseCase } from './redrive-dead-letters.use-case';

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

  @ListRoute('Dead letters, newest first, a page at a time.')
  @ApiResponse({ status: 200, type: DeadLetterPageDto })
  @ApiResponse({ status: 400, description: 'A bad parameter; `details.issues` names each one.' })
  async list(@OrgScopedQuery(deadLetterListQuery) query: OrgScoped<typeof deadLetterListQuery>): Promise<DeadLetterPageDto> {
    return this.deadLetters.list({
      status: query.status,
      // The dead-letter topic's name finds the same dead letters as the topic they failed on.
      topic: query.topic === undefined ? undefined : originalTopicOfDeadLetterTopic(query.topic),
      runId: query.runId,
      orgId: query.orgId,
      limit: query.limit,
      before: query.cursor,
    });
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One dead letter in full: value (parsed when JSON), headers, reason, and its failure history across re-drives.',
  })
  @ApiResponse({ status: 200, type: DeadLetterDto })
  @ApiResponse({ status: 404, description: 'No such dead letter.' })
  async get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<DeadLetterDto> {
    const letter = isUuid(id) ? await this.deadLetters.get(id.toLowerCase()) : null;
    if (!letter || !canSee(principal, letter)) throw notFound([id]);
    const [ancestors, descendants, sameKey] = await Promise.all([
      this.deadLetters.ancestors(letter.id),
      this.deadLetters.descendants(letter.id),
      this.deadLetters.sameKey(letter),
    ]);
    return deadLetterView(letter, { ancestors, descendants, sameKey });
  }

  @Post('redrive')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Re-drive dead letters, all or none: each original value goes back to the topic it failed on with the same key, fresh ' +
      'headers and attempts from 1; a failed run moves back so its consumer acts again. Audited.',
  })
  @ApiResponse({ status: 200, type: RedriveResponseDto })
  @ApiResponse({ status: 400, description: 'The body is invalid; `details.issues` names each field.' })
  @ApiResponse({ status: 404, description: 'One of the dead letters does not exist.' })
  @ApiResponse({ status: 409, description: 'One of the dead letters was already re-driven or discarded.' })
  @ApiResponse({ status: 422, description: 'One of the values is not JSON, so no consumer could ever read it.' })
  async redrive(@CurrentPrincipal() principal: Principal, @ValidBody(redriveRequest) body: RedriveRequest): Promise<RedriveResponseDto> {
    return { redriven: await this.redriveDeadLetters.execute(principal, body) };
  }

  @Post(':id/discard')
  @HttpCode(200)
  @ApiOperation({ summary: 'Discard a dead letter with a reason: kept for the record, never re-driven. Audited.' })
  @ApiResponse({ status: 200, type: DeadLetterDto })
  @ApiResponse({ status: 400, description: 'The reason is missing.' })
  @ApiResponse({ status: 404, description: 'No such dead letter.' })
  @ApiResponse({ status: 409, description: 'It was already re-driven or discarded.' })
  async discard(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @ValidBody(discardRequest) body: DiscardRequest,
  ): Promise<DeadLetterDto> {
    if (!isUuid(id)) throw notFound([id]);
    const letter = await this.discardDeadLetter.execute(principal, { id, reason: body.reason });
    const [ancestors, descendants, sameKey] = await Promise.all([
      this.deadLetters.ancestors(letter.id),
      this.deadLetters.descendants(letter.id),
      this.deadLetters.sameKey(letter),
    ]);
    return deadLetterView(letter, { ancestors, descendants, sameKey });
  }
}
