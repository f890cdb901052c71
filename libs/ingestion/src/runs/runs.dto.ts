import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class StartRunRequestDto {
  @ApiProperty({ example: 'acme', description: 'Organisation the run belongs to (its settings and money limits apply).' })
  orgId!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, example: { customerId: 'cus_northwind', amount: 120, reason: 'Damaged item' }, description: "Trigger payload; checked against the workflow's trigger schema." })
  payload!: Record<string, unknown>;
}

export class StartRunResponseDto {
  @ApiProperty({ format: 'uuid' })
  runId!: string;

  @ApiProperty({ enum: ['accepted'] })
  status!: 'accepted';

  @ApiProperty({ description: 'True when the Idempotency-Key had already started this run.' })
  duplicate!: boolean;

  @ApiProperty({ example: '/runs/6f1c…' })
  href!: string;
}

export class ErrorResponseDto {
  @ApiProperty({ example: 'invalid_trigger' })
  error!: string;

  @ApiProperty({ example: 'trigger payload does not match workflow refund-request: /payload/amount must be > 0' })
  message!: string;

  @ApiPropertyOptional({ example: { issues: [{ path: '/payload/amount', message: 'must be > 0' }] } })
  details?: Record<string, unknown>;
}
