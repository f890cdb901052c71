import { RequireRoles } from '@baton/platform-runtime';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TriggerSourcesService, type TriggerSourceView } from './trigger-sources.service';

/** Operators' view of every trigger source: queue depth, processing lag, last firing. */
@ApiTags('triggers')
@ApiBearerAuth()
@RequireRoles('operator')
@Controller('triggers/sources')
export class TriggerSourcesController {
  constructor(private readonly sources: TriggerSourcesService) {}

  @Get()
  @ApiOperation({
    summary:
      'Webhook, ingress-topic, record-change and schedule sources with the workflows they start, queue depth, processing lag and ' +
      'when each last started a run.',
  })
  async list(): Promise<{ sources: TriggerSourceView[] }> {
    return { sources: await this.sources.list() };
  }
}
