import {
  isUuid,
  type Accepted,
  nonEmptyText,
  oneOf,
  pageCursor,
  pageLimit,
  requestBody,
  requestQuery,
  requiredText,
  uuidField,
} from '@baton/platform-edge';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { z } from 'zod';
import { invalidRequest } from '../verification.exception';
import { DEAD_LETTER_STATUSES, type DeadLetterHistoryEntry, type DeadLetterStatus, type DeadLetterSummary } from './dead-letter.types';

const MAX_REDRIVE = 100;
const MAX_REASON = 2000;

/** `GET /dead-letters`: filters, page size and cursor. Unknown parameters are ignored. */
export const deadLetterListQuery = requestQuery(
  z.object({
    status: oneOf(DEAD_LETTER_STATUSES).optional(),
    topic: nonEmptyText()
      .optional()
      .meta({ description: 'The topic the messages failed on, e.g. baton.run.decided (or its dead-letter topic, baton.run.decided.dlq).' }),
    runId: uuidField().optional(),
    limit: pageLimit({ fallback: 50 }),
    cursor: pageCursor().optional(),
  }),
  { invalid: (issues) => invalidRequest('invalid query', issues) },
);
export type DeadLetterListQuery = Accepted<typeof deadLetterListQuery>;

/** `POST /dead-letters/redrive`. */
export const redriveRequest = requestBody(
  z.strictObject({
    ids: z
      .array(
        z
          .string({ error: 'must be a dead-letter id (UUID)' })
          .refine(isUuid, { error: 'must be a dead-letter id (UUID)' })
          .meta({ format: 'uuid' }),
        { error: 'is required: a non-empty list of dead-letter ids' },
      )
      .min(1, { error: 'is required: a non-empty list of dead-letter ids', abort: true })
      .max(MAX_REDRIVE, { error: `may hold at most ${MAX_REDRIVE} ids per re-drive`, abort: true })
      .meta({ description: `Dead letters to re-drive (1 to ${MAX_REDRIVE}), all or none.` }),
    reason: requiredText('say why, for the audit log', { max: MAX_REASON }).meta({
      description: 'Why; kept in the audit log.',
      example: 'billing is back up (INC-4211)',
    }),
  }),
  { invalid: (issues) => invalidRequest('invalid re-drive', issues) },
);
export type RedriveRequest = Accepted<typeof redriveRequest>;

/** `POST /dead-letters/:id/discard`. */
export const discardRequest = requestBody(
  z.strictObject({
    reason: requiredText('say why, for the audit log', { max: MAX_REASON }).meta({
      description: 'Why; required, kept in the audit log.',
      example: 'test message produced by hand; nothing to redo',
    }),
  }),
  { invalid: (issues) => invalidRequest('invalid discard', issues) },
);
export type DiscardRequest = Accepted<typeof discardRequest>;

export class DeadLetterSummaryDto implements DeadLetterSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DEAD_LETTER_STATUSES }) status!: DeadLetterStatus;
  @ApiProperty({ example: 'baton.run.decided', description: 'The topic the message failed on, where a re-drive sends it.' }) topic!: string;
  @ApiProperty({ description: 'Message key (the run id on stage topics).' }) key!: string;
  @ApiProperty({ example: 'retries exhausted after 4 attempts: action refund: billing.issueRefund: server error (503)' }) reason!: string;
  @ApiProperty({ example: 'transient', description: 'transient, data or infrastructure.' }) failureClass!: string;
  @ApiProperty({ nullable: true, type: String, example: 'baton-action', description: 'Consumer group that gave up.' }) failedGroup!:
    string | null;
  @ApiProperty({ example: 4 }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) failedAt!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The run, when the value is a Baton event.' }) runId!:
    string | null;
  @ApiProperty({ nullable: true, type: String }) orgId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'baton.run.decided' }) eventType!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The dead letter whose re-drive failed again as this one.' })
  redriveOf!: string | null;
}

export class DeadLetterPageDto {
  @ApiProperty({ type: [DeadLetterSummaryDto], description: 'Newest first.' }) deadLetters!: DeadLetterSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last.' }) nextCursor!:
    string | null;
}

export class DeadLetterFailureDto extends DeadLetterSummaryDto {
  @ApiProperty({ nullable: true, type: String }) resolvedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) resolutionReason!: string | null;
}

export class DeadLetterDto extends DeadLetterFailureDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Partition of the original delivery.' }) partition!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Offset of the original delivery.' }) offset!: string | null;
  @ApiProperty({
    description: 'Where the dead letter itself sits.',
    example: { topic: 'baton.run.decided.dlq', partition: 2, offset: '0' },
  })
  deadLetterTopic!: { topic: string; partition: number; offset: string };
  @ApiProperty({ enum: ['json', 'text', 'binary'] }) valueEncoding!: 'json' | 'text' | 'binary';
  @ApiPropertyOptional({ description: 'The value, parsed, when it is JSON.' }) value?: unknown;
  @ApiPropertyOptional({ description: 'The value as text, when it is text but not JSON.' }) valueText?: string;
  @ApiPropertyOptional({ description: 'The value in base64, when it is neither.' }) valueBase64?: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers!: Record<string, string>;
  @ApiProperty({ nullable: true, type: String }) eventId!: string | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    description: 'What happened to it: stored, run failed, notified, re-driven, discarded.',
  })
  history!: DeadLetterHistoryEntry[];
  @ApiProperty({ description: 'Operator notification of this dead letter: sent, suppressed (rate limit), below_threshold, failed.' })
  notification!: { state: string | null; at: string | null };
  @ApiProperty({
    type: [DeadLetterFailureDto],
    description: 'Every failure of this message, oldest first: the dead letters it was re-driven from, then this one.',
  })
  failures!: DeadLetterFailureDto[];
  @ApiProperty({ type: [DeadLetterSummaryDto], description: 'Dead letters a re-drive of this one became.' })
  redrivenAs!: DeadLetterSummaryDto[];
  @ApiProperty({ type: [DeadLetterSummaryDto], description: 'Other dead letters of the same key on the same topic, newest first.' })
  sameKey!: DeadLetterSummaryDto[];
}

export class RedrivenDeadLetterDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() topic!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) runId!: string | null;
  @ApiProperty({
    nullable: true,
    description: 'How the run was moved so its consumer acts again, e.g. failed → decided.',
    example: { from: 'failed', to: 'decided' },
  })
  run!: { from: string; to: string } | null;
}

export class RedriveResponseDto {
  @ApiProperty({ type: [RedrivenDeadLetterDto] }) redriven!: RedrivenDeadLetterDto[];
}
