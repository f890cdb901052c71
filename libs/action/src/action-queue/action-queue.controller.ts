import { RunLedger } from '@baton/platform-database';
import { canAccessOrg, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import {
  describeIssues,
  isSequenceId,
  ListRoute,
  OrgScopedQuery,
  requestBody,
  requestQuery,
  ValidBody,
  type Accepted,
  type OrgScoped,
  type RequestIssue,
} from '@baton/platform-edge';
import { Controller, Param, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ActionErrorCode, ActionException } from '../action.exception';
import { QueuedActionRepository, type QueuedAction } from './queued-action.repository';

/** A queued run as operators see it: the payload stays out of the list, its position in. */
export type QueuedActionView = Omit<QueuedAction, 'payload' | 'done'> & { position: number; done: string[] };

const MAX_PRIORITY = 1_000_000;

function invalid(issues: RequestIssue[]): ActionException {
  return new ActionException(ActionErrorCode.InvalidQueueRequest, describeIssues('invalid request', issues), { issues });
}

/** `GET /action-queue`. Unknown parameters are ignored. */
export const actionQueueListQuery = requestQuery(
  z.object({
    connector: z
      .string()
      .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,99}$/, { error: 'must be a connector name' })
      .optional(),
  }),
  { invalid },
);

/** `PATCH /action-queue/:id`. */
export const queuePriorityRequest = requestBody(
  z.object({
    priority: z
      .int({ error: `must be an integer between -${MAX_PRIORITY} and ${MAX_PRIORITY}` })
      .min(-MAX_PRIORITY, { error: `must be an integer between -${MAX_PRIORITY} and ${MAX_PRIORITY}` })
      .max(MAX_PRIORITY, { error: `must be an integer between -${MAX_PRIORITY} and ${MAX_PRIORITY}` })
      .meta({ description: 'Higher drains first; equal priorities drain oldest first. Default 0.', example: 10 }),
  }),
  { invalid },
);

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

  @ListRoute('Queued actions in drain order (per connector: priority, then oldest first).')
  async list(@OrgScopedQuery(actionQueueListQuery) query: OrgScoped<typeof actionQueueListQuery>): Promise<{ items: QueuedActionView[] }> {
    const items = await this.queue.list(query);
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
  async reprioritise(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @ValidBody(queuePriorityRequest) { priority }: Accepted<typeof queuePriorityRequest>,
  ): Promise<QueuedActionView> {
    if (!isSequenceId(id)) throw notFound(id);
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
