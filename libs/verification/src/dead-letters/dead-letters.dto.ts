import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DEAD_LETTER_STATUSES, type DeadLetterHistoryEntry, type DeadLetterStatus, type DeadLetterSummary } from './dead-letter.types';

export class RedriveRequestDto {
  @ApiProperty({ type: [String], format: 'uuid', description: 'Dead letters to re-drive (1 to 100), all or none.' })
  ids!: string[];

  @ApiProperty({ example: 'billing is back up (INC-4211)', description: 'Why; kept in the audit log.' })
  reason!: string;
}

export class DiscardRequestDto {
  @ApiProperty({ example: 'test message produced by hand; nothing to redo', description: 'Why; required, kept in the audit log.' })
  reason!: string;
}

export class DeadLetterSummaryDto implements DeadLetterSummary {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DEAD_LETTER_STATUSES }) status!: DeadLetterStatus;
  @ApiProperty({ example: 'baton.run.decided', description: 'The topic the message failed on, where a re-drive sends it.' }) topic!: string;
  @ApiProperty({ description: 'Message key (the run id on stage topics).' }) key!: string;
  @ApiProperty({ example: 'retries exhausted after 4 attempts: action refund: billing.issueRefund: server error (503)' }) reason!: string;
  @ApiProperty({ example: 'transient', description: 'transient, data or infrastructure.' }) failureClass!: string;
  @ApiProperty({ nullable: true, type: String, example: 'baton-action', description: 'Consumer group that gave up.' }) failedGroup!: string | null;
  @ApiProperty({ example: 4 }) attempts!: number;
  @ApiProperty({ format: 'date-time' }) failedAt!: string;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The run, when the value is a Baton event.' }) runId!: string | null;
  @ApiProperty({ nullable: true, type: String }) orgId!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'baton.run.decided' }) eventType!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid', description: 'The dead letter whose re-drive failed again as this one.' }) redriveOf!: string | null;
}

export class DeadLetterPageDto {
  @ApiProperty({ type: [DeadLetterSummaryDto], description: 'Newest first.' }) deadLetters!: DeadLetterSummaryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last.' }) nextCursor!: string | null;
}

export class DeadLetterFailureDto extends DeadLetterSummaryDto {
  @ApiProperty({ nullable: true, type: String }) resolvedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) resolvedAt!: string | null;
  @ApiProperty({ nullable: true, type: String }) resolutionReason!: string | null;
}

export class DeadLetterDto extends DeadLetterFailureDto {
  @ApiProperty({ nullable: true, type: Number, description: 'Partition of the original delivery.' }) partition!: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Offset of the original delivery.' }) offset!: string | null;
  @ApiProperty({ description: 'Where the dead letter itself sits.', example: { topic: 'baton.run.decided.dlq', partition: 2, offset: '0' } })
  deadLetterTopic!: { topic: string; partition: number; offset: string };
  @ApiProperty({ enum: ['json', 'text', 'binary'] }) valueEncoding!: 'json' | 'text' | 'binary';
  @ApiPropertyOptional({ description: 'The value, parsed, when it is JSON.' }) value?: unknown;
  @ApiPropertyOptional({ description: 'The value as text, when it is text but not JSON.' }) valueText?: string;
  @ApiPropertyOptional({ description: 'The value in base64, when it is neither.' }) valueBase64?: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) headers!: Record<string, string>;
  @ApiProperty({ nullable: true, type: String }) eventId!: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object' }, description: 'What happened to it: stored, run failed, notified, re-driven, discarded.' }) history!: DeadLetterHistoryEntry[];
  @ApiProperty({ description: 'Operator notification of this dead letter: sent, suppressed (rate limit), below_threshold, failed.' })
  notification!: { state: string | null; at: string | null };
  @ApiProperty({ type: [DeadLetterFailureDto], description: 'Every failure of this message, oldest first: the dead letters it was re-driven from, then this one.' })
  failures!: DeadLetterFailureDto[];
  @ApiProperty({ type: [DeadLetterSummaryDto], description: 'Dead letters a re-drive of this one became.' }) redrivenAs!: DeadLetterSummaryDto[];
  @ApiProperty({ type: [DeadLetterSummaryDto], description: 'Other dead letters of the same key on the same topic, newest first.' }) sameKey!: DeadLetterSummaryDto[];
}

export class RedrivenDeadLetterDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() topic!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) runId!: string | null;
  @ApiProperty({ nullable: true, description: 'How the run was moved so its consumer acts again, e.g. failed → decided.', example: { from: 'failed', to: 'decided' } })
  run!: { from: string; to: string } | null;
}

export class RedriveResponseDto {
  @ApiProperty({ type: [RedrivenDeadLetterDto] }) redriven!: RedrivenDeadLetterDto[];
}
