import { RunLedger } from '@baton/platform-database';
import { DomainException } from '@baton/platform-errors';
import { MessageBus } from '@baton/platform-messaging';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllOrganisations, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-edge';

export interface ConsumerGroupView {
  groupId: string;
  topics: string[];
  paused: string[];
  /** Messages on its topics it has not finished; null when the bus cannot tell right now. */
  lag: number | null;
}

/**
 * The consumer groups of this process, for operators: pause one (per topic or whole) while a
 * downstream system is being repaired or to let a backlog build on purpose, and resume it. A
 * paused group loses nothing: its messages wait and its lag grows. Every pause and resume is
 * audited with the operator and the reason.
 */
@ApiTags('operations')
@ApiBearerAuth()
@RequireRoles('operator')
// A consumer group serves every organisation: pausing it is for an operator of all of them.
@AllOrganisations()
@Controller('consumers')
export class ConsumersController {
  constructor(
    private readonly bus: MessageBus,
    private readonly ledger: RunLedger,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Consumer groups of this process: topics, paused topics, lag.' })
  async list(): Promise<{ groups: ConsumerGroupView[] }> {
    return { groups: await Promise.all(this.bus.subscriptions().map((s) => this.view(s.groupId, s.topics))) };
  }

  @Post(':groupId/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pauses a consumer group, on some of its topics ({"topics": [...]}) or all; {"reason": "..."} is audited.' })
  async pause(@Param('groupId') groupId: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<ConsumerGroupView> {
    return this.change('pause', groupId, body, principal);
  }

  @Post(':groupId/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resumes a paused consumer group, on some of its topics or all.' })
  async resume(@Param('groupId') groupId: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<ConsumerGroupView> {
    return this.change('resume', groupId, body, principal);
  }

  private async change(verb: 'pause' | 'resume', groupId: string, body: unknown, principal: Principal): Promise<ConsumerGroupView> {
    const subscription = this.bus.subscriptions().find((s) => s.groupId === groupId);
    if (!subscription) throw new DomainException('consumer_group_not_found', `this process runs no consumer group ${JSON.stringify(groupId)}`, undefined, 'not_found');
    const { topics, reason } = readBody(body ?? {}, subscription.topics);
    const before = this.bus.paused(groupId);
    if (verb === 'pause') this.bus.pause(groupId, topics);
    else this.bus.resume(groupId, topics);
    const after = this.bus.paused(groupId);
    await this.ledger.transaction((uow) =>
      uow.audit({ actor: `person:${principal.id}`, action: `consumer.${verb}`, targetType: 'consumer_group', targetId: groupId, before: { paused: before }, after: { paused: after }, reason: reason ?? null }),
    );
    return this.view(groupId, subscription.topics);
  }

  private async view(groupId: string, topics: string[]): Promise<ConsumerGroupView> {
    return { groupId, topics, paused: this.bus.paused(groupId), lag: await this.bus.lag(groupId).catch(() => null) };
  }
}

function readBody(body: unknown, known: string[]): { topics?: string[]; reason?: string } {
  const issues: Array<{ path: string; message: string }> = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new DomainException('invalid_request', 'the body must be a JSON object', { issues: [{ path: '', message: 'must be an object' }] }, 'reject');
  }
  const { topics, reason, ...rest } = body as Record<string, unknown>;
  for (const key of Object.keys(rest)) issues.push({ path: `/${key}`, message: 'is not a field of this request (topics, reason)' });
  if (topics !== undefined) {
    if (!Array.isArray(topics) || topics.length === 0 || topics.some((t) => typeof t !== 'string')) issues.push({ path: '/topics', message: 'must be a non-empty list of topic names' });
    else for (const [i, t] of topics.entries()) if (!known.includes(t as string)) issues.push({ path: `/topics/${i}`, message: `is not a topic of this group (${known.join(', ')})` });
  }
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > 2000)) issues.push({ path: '/reason', message: 'must be a string of at most 2000 characters' });
  if (issues.length) throw new DomainException('invalid_request', `invalid request: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, { issues }, 'reject');
  return { ...(topics ? { topics: topics as string[] } : {}), ...(typeof reason === 'string' ? { reason } : {}) };
}
