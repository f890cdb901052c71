import { RunLedger } from '@baton/platform-database';
import { DomainException } from '@baton/platform-errors';
import { MessageBus } from '@baton/platform-messaging';
import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  AllOrganisations,
  CurrentPrincipal,
  describeIssues,
  requestBody,
  RequireRoles,
  type Principal,
  type RequestIssue,
} from '@baton/platform-edge';

export interface ConsumerGroupView {
  groupId: string;
  topics: string[];
  paused: string[];
  /** Messages on its topics it has not finished; null when the bus cannot tell right now. */
  lag: number | null;
}

/**
 * `POST /consumers/:groupId/pause|resume`. Which topics are the group's is known only once the
 * group is found, so the route checks that part itself and reports it with the rest.
 */
export const consumerChangeRequest = requestBody(
  z.strictObject({
    topics: z
      .array(z.string({ error: 'must be a topic name' }), { error: 'must be a non-empty list of topic names' })
      .min(1, { error: 'must be a non-empty list of topic names' })
      .optional()
      .meta({ description: 'Some of the group’s topics; all of them when left out.' }),
    reason: z
      .string({ error: 'must be a string of at most 2000 characters' })
      .max(2000, { error: 'must be a string of at most 2000 characters' })
      .optional()
      .meta({ description: 'Audited.' }),
  }),
  { invalid: (issues) => invalidRequest(issues) },
);

/** `POST /consumers/:groupId/<verb>`, answering 200 with the group, its body a `consumerChangeRequest`. */
const ConsumerChangeRoute = (verb: 'pause' | 'resume', summary: string): MethodDecorator =>
  applyDecorators(
    Post(`:groupId/${verb}`),
    HttpCode(200),
    ApiOperation({ summary }),
    ApiBody({ schema: consumerChangeRequest.jsonSchema, required: false }),
  );

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

  @ConsumerChangeRoute('pause', 'Pauses a consumer group, on some of its topics ({"topics": [...]}) or all; {"reason": "..."} is audited.')
  async pause(
    @Param('groupId') groupId: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConsumerGroupView> {
    return this.change('pause', groupId, body, principal);
  }

  @ConsumerChangeRoute('resume', 'Resumes a paused consumer group, on some of its topics or all.')
  async resume(
    @Param('groupId') groupId: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ConsumerGroupView> {
    return this.change('resume', groupId, body, principal);
  }

  private async change(verb: 'pause' | 'resume', groupId: string, body: unknown, principal: Principal): Promise<ConsumerGroupView> {
    const subscription = this.bus.subscriptions().find((s) => s.groupId === groupId);
    if (!subscription)
      throw new DomainException(
        'consumer_group_not_found',
        `this process runs no consumer group ${JSON.stringify(groupId)}`,
        undefined,
        'not_found',
      );
    const { topics, reason } = readBody(body, subscription.topics);
    const before = this.bus.paused(groupId);
    if (verb === 'pause') this.bus.pause(groupId, topics);
    else this.bus.resume(groupId, topics);
    const after = this.bus.paused(groupId);
    await this.ledger.transaction((uow) =>
      uow.audit({
        actor: `person:${principal.id}`,
        action: `consumer.${verb}`,
        targetType: 'consumer_group',
        targetId: groupId,
        before: { paused: before },
        after: { paused: after },
        reason: reason ?? null,
      }),
    );
    return this.view(groupId, subscription.topics);
  }

  private async view(groupId: string, topics: string[]): Promise<ConsumerGroupView> {
    return { groupId, topics, paused: this.bus.paused(groupId), lag: await this.bus.lag(groupId).catch(() => null) };
  }
}

function readBody(body: unknown, known: string[]): { topics?: string[]; reason?: string } {
  const issues = consumerChangeRequest.issuesOf(body);
  // Names are checked against the group once they are a well-formed list, beside any other issue.
  const topics = (body as { topics?: unknown } | undefined)?.topics;
  if (Array.isArray(topics) && !issues.some((i) => i.path === '' || i.path === '/topics' || i.path.startsWith('/topics/'))) {
    for (const [i, topic] of topics.entries()) {
      if (!known.includes(topic as string))
        issues.push({ path: `/topics/${i}`, message: `is not a topic of this group (${known.join(', ')})` });
    }
  }
  if (issues.length) throw invalidRequest(issues);
  return consumerChangeRequest.parse(body);
}

function invalidRequest(issues: RequestIssue[]): DomainException {
  return new DomainException('invalid_request', describeIssues('invalid request', issues), { issues }, 'reject');
}
