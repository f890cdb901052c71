import { ConnectorRegistry } from '@baton/connectors';
import { AllOrganisations, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { describeIssues, requestBody, requiredText, ValidBody, type Accepted } from '@baton/platform-edge';
import { Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ActionErrorCode, ActionException } from '../action.exception';
import { ActionQueueDrainer } from '../action-queue/action-queue-drainer.service';
import { QueuedActionRepository } from '../action-queue/queued-action.repository';
import type { CircuitView } from './circuit-breaker.util';
import { CircuitBreakers } from './circuit-breakers.service';
import { CircuitOverrides } from './circuit-overrides.service';

/**
 * How the queue behind a circuit is draining in this replica: `idle` (nothing queued), `draining`
 * (closed: queued actions are being re-submitted), `probing` (a probe is due: the first queued
 * action tests the connector) or `waiting` (open: nothing goes until the cool-down ends or an
 * operator closes it).
 */
export type DrainState = 'idle' | 'draining' | 'probing' | 'waiting';

export type CircuitStatus = CircuitView & { queued: number; drain: DrainState };

const MAX_REASON = 500;

/** `POST /circuits/:connector/force`. */
export const forceCircuitRequest = requestBody(
  z.strictObject({
    state: z
      .enum(['open', 'closed'], { error: 'must be "open" or "closed"' })
      .meta({ description: 'open: no calls, actions queue. closed: every call goes ahead, failures open nothing.' }),
    reason: requiredText('say why, for the audit log', { max: MAX_REASON }).meta({
      description: 'Why, for the audit log and whoever looks at the circuit next.',
      example: 'billing maintenance window until 14:00',
    }),
  }),
  {
    invalid: (issues) =>
      new ActionException(ActionErrorCode.InvalidCircuitRequest, describeIssues('invalid circuit override', issues), { issues }),
    unknownFields: 'last',
  },
);

/**
 * The circuit of every connector as this replica sees it, with the depth and drain state of its
 * shared queue, and the operators' override: hold a circuit open (e.g. during the target's
 * maintenance) or closed, then release it. Overrides apply to every replica and are audited.
 */
@ApiTags('circuits')
@ApiBearerAuth()
@RequireRoles('operator')
@Controller('circuits')
export class CircuitsController {
  constructor(
    private readonly circuits: CircuitBreakers,
    private readonly overrides: CircuitOverrides,
    private readonly connectors: ConnectorRegistry,
    private readonly queue: QueuedActionRepository,
    private readonly drainer: ActionQueueDrainer,
  ) {}

  @Get()
  @ApiOperation({
    summary:
      'Circuit breaker state per connector in this replica (closed, open, half_open), any operator override, how many actions ' +
      "wait in each connector's queue and how that queue is draining (idle, draining, probing, waiting).",
  })
  async list(): Promise<{ circuits: CircuitStatus[]; drainer: ActionQueueDrainer['status'] }> {
    const depth = await this.queue.depth();
    const views = this.circuits.views([...this.connectors.list().map((c) => c.name), ...Object.keys(depth)]);
    return { circuits: views.map((view) => this.status(view, depth[view.connector] ?? 0)), drainer: this.drainer.status };
  }

  @Post(':connector/force')
  // A connector serves every organisation: holding its circuit is for an operator of all of them.
  @AllOrganisations()
  @HttpCode(200)
  @ApiOperation({ summary: 'Holds a connector’s circuit open or closed in every replica until released; audited.' })
  async force(
    @CurrentPrincipal() principal: Principal,
    @Param('connector') connector: string,
    @ValidBody(forceCircuitRequest) { state, reason }: Accepted<typeof forceCircuitRequest>,
  ): Promise<CircuitStatus> {
    const view = await this.overrides.force(principal, connector, state, reason);
    return this.status(view, (await this.queue.depth())[connector] ?? 0);
  }

  @Delete(':connector/force')
  @AllOrganisations()
  @ApiOperation({ summary: 'Ends an override: the circuit is closed and its breaker decides again; audited.' })
  async release(@CurrentPrincipal() principal: Principal, @Param('connector') connector: string): Promise<CircuitStatus> {
    const view = await this.overrides.release(principal, connector);
    return this.status(view, (await this.queue.depth())[connector] ?? 0);
  }

  private status(view: CircuitView, queued: number): CircuitStatus {
    const gate = this.circuits.get(view.connector).gate();
    const drain: DrainState = queued === 0 ? 'idle' : gate === 'drain' ? 'draining' : gate === 'probe' ? 'probing' : 'waiting';
    return { ...view, queued, drain };
  }
}
