import { AllOrganisations, RequireRoles, WorkflowCatalog } from '@baton/platform-runtime';
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ErrorResponseDto } from '../runs/runs.dto';
import { WebhookDispatcherService } from './webhook-dispatcher.service';
import { WebhookErrorCode, WebhookException } from './webhook.exception';
import { WebhookInboxRepository } from './webhook-inbox.repository';
import { WebhookMetrics } from './webhook-metrics.util';
import { WebhookSources } from './webhook-sources.util';
import { workflowsTriggeredBy } from './webhook-workflows.util';
import { WebhookInboxEntryDto, WebhookSourcesDto } from './webhooks.dto';

/** Operators' view of webhook intake: sources, queue depth and lag, and single deliveries. */
@ApiTags('webhooks')
@ApiBearerAuth()
@RequireRoles('operator')
@Controller('webhooks/sources')
export class WebhookSourcesController {
  constructor(
    private readonly sources: WebhookSources,
    private readonly catalog: WorkflowCatalog,
    private readonly inbox: WebhookInboxRepository,
    private readonly metrics: WebhookMetrics,
    private readonly dispatcher: WebhookDispatcherService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Configured webhook sources with their workflows, limits, queue depth, processing lag and counters.' })
  @ApiResponse({ status: 200, type: WebhookSourcesDto })
  async list(): Promise<WebhookSourcesDto> {
    const [pending, totals] = await Promise.all([this.inbox.pendingBySource(), this.inbox.totalsBySource()]);
    return {
      dedupeDays: this.sources.dedupeDays,
      dispatcher: this.dispatcher.state,
      sources: this.sources.list().map((s) => {
        const p = pending.find((x) => x.source === s.name);
        const t = totals.find((x) => x.source === s.name);
        return {
          name: s.name,
          url: `/webhooks/${s.name}`,
          workflows: workflowsTriggeredBy(this.catalog, s.name).map((w) => w.id),
          orgId: s.orgId,
          secrets: s.keys.length,
          toleranceSeconds: s.toleranceSeconds,
          maxBodyBytes: s.maxBodyBytes,
          rateLimit: { ...s.rateLimit },
          queue: {
            pending: p?.pending ?? 0,
            oldestPendingAgeSeconds: p?.oldestPendingAgeSeconds ?? null,
            processed: t?.processed ?? 0,
            failed: t?.failed ?? 0,
          },
          sinceStart: { ...this.metrics.countersOf(s.name) },
        };
      }),
    };
  }

  @Get(':source/inbox/:webhookId')
  // A stored delivery names runs of whichever organisation its body named.
  @AllOrganisations()
  @ApiOperation({ summary: 'One received webhook: its status, attempts, the runs it started, or why it failed.' })
  @ApiResponse({ status: 200, type: WebhookInboxEntryDto })
  @ApiResponse({ status: 404, type: ErrorResponseDto })
  async entry(@Param('source') source: string, @Param('webhookId') webhookId: string): Promise<WebhookInboxEntryDto> {
    const entry = await this.inbox.get(source, webhookId);
    if (!entry) {
      throw new WebhookException(
        WebhookErrorCode.InboxEntryNotFound,
        `no webhook ${JSON.stringify(webhookId)} from source ${JSON.stringify(source)} is stored`,
        {
          hint: `ids are kept for ${this.sources.dedupeDays} days after they are dispatched`,
        },
      );
    }
    return entry;
  }
}
