import { Public } from '@baton/platform-runtime';
import { Controller, HttpCode, Param, Post, Req, UseFilters } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiConsumes, ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ErrorResponseDto } from '../runs/runs.dto';
import { AcceptWebhookUseCase } from './accept-webhook.use-case';
import { IntakePressure } from './intake-pressure.util';
import { RAW_BODY_ROUTE } from './webhook-body-parser.service';
import { WebhookDispatcherService } from './webhook-dispatcher.service';
import { WebhookException } from './webhook.exception';
import { WebhookExceptionFilter } from './webhook-exception.filter';
import { WebhookMetrics, type ReceiveOutcome } from './webhook-metrics.util';
import { WebhookAcceptedDto } from './webhooks.dto';

@ApiTags('webhooks')
@Public('webhook intake is authenticated by its Standard Webhooks signature')
@Controller('webhooks')
@UseFilters(WebhookExceptionFilter)
export class WebhooksController {
  constructor(
    private readonly accept: AcceptWebhookUseCase,
    private readonly dispatcher: WebhookDispatcherService,
    private readonly metrics: WebhookMetrics,
    private readonly intake: IntakePressure,
  ) {}

  @Post(':source')
  @HttpCode(202)
  @RouteConfig({ [RAW_BODY_ROUTE]: true })
  @ApiOperation({
    summary: 'Receive a Standard Webhooks request from a configured source.',
    description:
      'Verifies the signature over the raw body, stores the request and answers 202; the runs of every workflow whose trigger is ' +
      '`{ type: webhook, source }` start asynchronously. The body is `{ orgId, payload }`, or the payload itself when the source ' +
      'has a fixed orgId. A webhook id already accepted is answered 202 with `duplicate: true` and processed once.',
  })
  @ApiConsumes('application/json')
  @ApiHeader({ name: 'webhook-id', required: true, description: 'Unique per message; the same id is processed once.' })
  @ApiHeader({
    name: 'webhook-timestamp',
    required: true,
    description: 'Seconds since the Unix epoch; must be within the tolerance (default 5 minutes).',
  })
  @ApiHeader({ name: 'webhook-signature', required: true, description: 'Space-separated `v1,<base64 HMAC-SHA256>` signatures.' })
  @ApiBody({
    schema: { type: 'object', example: { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 120, reason: 'Damaged item' } } },
  })
  @ApiResponse({ status: 202, type: WebhookAcceptedDto, description: 'Stored durably; processing is asynchronous.' })
  @ApiResponse({
    status: 400,
    type: ErrorResponseDto,
    description: 'Body not JSON, wrong shape, unknown organisation or payload not matching the trigger; `details.issues` says where.',
  })
  @ApiResponse({
    status: 401,
    type: ErrorResponseDto,
    description: '`details.check`: missing_header, invalid_header, timestamp_outside_tolerance or no_signature_matched.',
  })
  @ApiResponse({ status: 404, type: ErrorResponseDto, description: 'No such source, or no workflow listens to it.' })
  @ApiResponse({ status: 413, type: ErrorResponseDto, description: "Body larger than the source's maxBodyBytes." })
  @ApiResponse({ status: 415, type: ErrorResponseDto, description: 'Content-Type is not application/json.' })
  @ApiResponse({ status: 429, type: ErrorResponseDto, description: "Over the source's rate limit; Retry-After says when to retry." })
  @ApiResponse({ status: 503, type: ErrorResponseDto, description: 'The webhook could not be stored and was not accepted; retry.' })
  async receive(@Param('source') source: string, @Req() request: FastifyRequest): Promise<WebhookAcceptedDto> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const result = await this.intake.track(() => this.accept.execute({ source, headers: request.headers, body }));
      this.metrics.receivedOne(source, result.duplicate ? 'duplicate' : 'accepted', seconds());
      if (!result.duplicate) this.dispatcher.kick();
      return {
        status: 'accepted',
        webhookId: result.webhookId,
        duplicate: result.duplicate,
        href: `/webhooks/sources/${encodeURIComponent(source)}/inbox/${encodeURIComponent(result.webhookId)}`,
      };
    } catch (error) {
      this.metrics.receivedOne(source, error instanceof WebhookException ? (error.code as ReceiveOutcome) : 'error', seconds());
      throw error;
    }
  }
}
