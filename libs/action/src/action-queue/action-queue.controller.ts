import { RunLedger } from '@baton/platform-database';
import { canAccessOrg, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ActionErrorCode, ActionException } from '../action.exception';
import { QueuedActionRepository, type QueuedAction } from './queued-action.repository';

export class QueuePriorityDto {
  @ApiProperty({ description: 'Higher drains first; equal priorities drain oldest first. Default 0.', example: 10 })
  priority!: number;
}

/** A queued run as operators see it: the payload stays out of the list, its position in. */
export type QueuedActionView = Omit<QueuedAction, 'payload' | 'done'> & { position: number; done: string[] };

const MAX_PRIORITY = 1_000_000;

/**
 * The actions waiting behind open circuits, in the order they will drain, and the one knob
 * operators have over that order: a queued run's priority. Every change is audited.
 */
@ApiTags('action-queue')
@ApiBearerAuth()
@RequireRoles('operator')
@Controller('action-queue')
export class ActionQueueController {
  constructor(
    private readonly queue: QueuedActionRepository,
    private readonly ledger: RunLedger,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Queued actions in drain order (per connector: priority, then oldest first).' })
  @ApiQuery({ name: 'connector', required: false })
  async list(@CurrentPrincipal() principal: Principal, @Query('connector') connector?: string): Promise<{ items: QueuedActionView[] }> {
    if (connector !== undefined && !/^[a-z0-9][a-z0-9_.-]{0,99}$/i.test(connector)) {
      throw new ActionException(ActionErrorCode.InvalidQueueRequest, 'connector must be a connector name', { issues: [{ path: 'connector', message: 'must be a connector name' }] });
    }
    const items = await this.queue.list({ connector, orgId: principal.orgId === '*' ? undefined : principal.orgId });
    const positions = new Map<string, number>();
    return {
      items: items.map((item) => {
        const position = (positions.get(item.connector) ?? 0) + 1;
        positions.set(item.connector, position);
        return viewOf(item, position);
      }),
    };
  }

  @Patch(':id')
  @ApiOperation({ summary: "Changes a queued action's priority, and with it the drain order; audited." })
  @ApiBody({ type: QueuePriorityDto })
  async reprioritise(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<QueuedActionView> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) throw notFound(id);
    const priority = (body as { priority?: unknown } | null)?.priority;
    if (typeof priority !== 'number' || !Number.isInteger(priority) || Math.abs(priority) > MAX_PRIORITY) {
      throw new ActionException(ActionErrorCode.InvalidQueueRequest, `priority must be an integer between -${MAX_PRIORITY} and ${MAX_PRIORITY}`, {
        issues: [{ path: '/priority', message: `must be an integer between -${MAX_PRIORITY} and ${MAX_PRIORITY}` }],
      });
    }
    const updated = await this.ledger.transaction(async (uow) => {
      const before = await this.queue.get(uow.manager, id, true);
      if (!before || !canAccessOrg(principal, before.orgId)) throw notFound(id);
      const after = (await this.queue.setPriority(uow.manager, id, priority))!;
      await uow.audit({
        actor: `person:${principal.id}`,
        action: 'action-queue.reprioritise',
        targetType: 'queued_action',
        targetId: id,
        before: { priority: before.priority },
        after: { priority: after.priority },
        reason: { connector: after.connector, step: after.step },
        runId: after.runId,
      });
      return after;
    });
    const order = await this.queue.list({ connector: updated.connector });
    return viewOf(updated, order.findIndex((item) => item.id === id) + 1);
  }
}

function viewOf(item: QueuedAction, position: number): QueuedActionView {
  const { payload: _payload, done, ...rest } = item;
  return { ...rest, position, done: done.map((d) => d.id) };
}

function notFound(id: string): ActionException {
  return new ActionException(ActionErrorCode.QueuedActionNotFound, `queued action ${id} does not exist`, undefined, 'not_found');
}
