import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class WebhookAcceptedDto {
  @ApiProperty({ enum: ['accepted'] })
  status!: 'accepted';

  @ApiProperty({ example: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' })
  webhookId!: string;

  @ApiProperty({ description: 'True when this webhook id was already accepted: it is processed once, this delivery changes nothing.' })
  duplicate!: boolean;

  @ApiProperty({ example: '/webhooks/sources/refund-form/inbox/msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' })
  href!: string;
}

export class WebhookQueueDto {
  @ApiProperty({ description: 'Acknowledged, not yet dispatched.' })
  pending!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Seconds since the oldest pending webhook was received.' })
  oldestPendingAgeSeconds!: number | null;

  @ApiProperty({ description: 'Dispatched webhooks still inside the dedupe window.' })
  processed!: number;

  @ApiProperty({ description: 'Webhooks that can never start a run, inside the dedupe window.' })
  failed!: number;
}

export class WebhookCountersDto {
  @ApiProperty() received!: number;
  @ApiProperty() accepted!: number;
  @ApiProperty() duplicates!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty() processed!: number;
  @ApiProperty() failed!: number;
}

export class WebhookSourceDto {
  @ApiProperty({ example: 'refund-form' })
  name!: string;

  @ApiProperty({ example: '/webhooks/refund-form' })
  url!: string;

  @ApiProperty({ type: [String], example: ['refund-request'] })
  workflows!: string[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Fixed organisation (the body is the payload), or null (the body is { orgId, payload }).',
  })
  orgId!: string | null;

  @ApiProperty({ description: 'How many secrets verify signatures (more than one during a rotation); never the secrets.' })
  secrets!: number;

  @ApiProperty() toleranceSeconds!: number;
  @ApiProperty() maxBodyBytes!: number;
  @ApiProperty({ example: { perSecond: 50, burst: 200 } }) rateLimit!: { perSecond: number; burst: number };

  @ApiProperty({ type: WebhookQueueDto, description: 'From the inbox table: shared by every replica.' })
  queue!: WebhookQueueDto;

  @ApiProperty({ type: WebhookCountersDto, description: 'Requests this process handled since it started.' })
  sinceStart!: WebhookCountersDto;
}

export class WebhookSourcesDto {
  @ApiProperty({ type: [WebhookSourceDto] })
  sources!: WebhookSourceDto[];

  @ApiProperty({ example: 7 })
  dedupeDays!: number;

  @ApiProperty({ example: { paused: false, dispatching: false } })
  dispatcher!: { paused: boolean; dispatching: boolean };
}

export class WebhookInboxEntryDto {
  @ApiProperty() source!: string;
  @ApiProperty() webhookId!: string;
  @ApiProperty({ enum: ['pending', 'processed', 'failed'] }) status!: string;
  @ApiProperty() receivedAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) processedAt!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: [String] }) runIds!: string[];
  @ApiPropertyOptional({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers!: Record<string, string>;
}
