import { RunStates } from '@baton/contracts';
import { oneOf, pageLimit, requestBody, requestQuery, type Accepted } from '@baton/platform-edge';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { z } from 'zod';
import { IngestionErrorCode, invalidRequest } from '../ingestion.exception';

/** `POST /workflows/:workflowId/runs`. The payload is checked afterwards against the workflow's own trigger schema. */
export const startRunRequest = requestBody(
  z.strictObject({
    orgId: z
      .string({ error: 'is required and must be a non-empty string' })
      .min(1, { error: 'is required and must be a non-empty string' })
      .meta({ example: 'acme', description: 'Organisation the run belongs to (its settings and money limits apply).' }),
    payload: z.record(z.string(), z.unknown(), { error: 'is required and must be a JSON object' }).meta({
      example: { customerId: 'cus_northwind', amount: 120, reason: 'Damaged item' },
      description: "Trigger payload; checked against the workflow's trigger schema.",
    }),
  }),
  { invalid: (issues) => invalidRequest(IngestionErrorCode.InvalidRequest, 'invalid request body', issues), unknownFields: 'last' },
);
export type StartRunRequest = Accepted<typeof startRunRequest>;

/** `GET /runs`. Unknown parameters are ignored. */
export const runListQuery = requestQuery(
  z.object({
    workflowId: z.string().optional(),
    orgId: z.string().optional(),
    state: oneOf(RunStates).optional(),
    limit: pageLimit({ fallback: 50 }),
  }),
  { invalid: (issues) => invalidRequest(IngestionErrorCode.InvalidRequest, 'invalid query', issues) },
);
export type RunListQuery = Accepted<typeof runListQuery>;

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
