import { ConnectorRegistry } from '@baton/connectors';
import { RequireRoles } from '@baton/platform-runtime';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { QueuedActionRepository } from '../action-queue/queued-action.repository';
import type { CircuitView } from './circuit-breaker.util';
import { CircuitBreakers } from './circuit-breakers.service';

/** The circuit of every connector as this replica sees it, with the depth of its shared queue. */
@ApiTags('circuits')
@ApiBearerAuth()
@RequireRoles('operator')
@Controller('circuits')
export class CircuitsController {
  constructor(
    private readonly circuits: CircuitBreakers,
    private readonly connectors: ConnectorRegistry,
    private readonly queue: QueuedActionRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: "Circuit breaker state per connector in this replica (closed, open, half_open) and how many actions wait in each connector's queue." })
  async list(): Promise<{ circuits: Array<CircuitView & { queued: number }> }> {
    const depth = await this.queue.depth();
    const views = this.circuits.views([...this.connectors.list().map((c) => c.name), ...Object.keys(depth)]);
    return { circuits: views.map((view) => ({ ...view, queued: depth[view.connector] ?? 0 })) };
  }
}
