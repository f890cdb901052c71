import { AllOrganisations, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { MISMATCH_STATUSES, MismatchRepository, type MismatchStatus, type StoredMismatch } from '../mismatches/mismatch.repository';
import { ResolveMismatchUseCase } from '../mismatches/resolve-mismatch.use-case';
import { ReconciliationErrorCode, ReconciliationException } from '../reconciliation.exception';
import { SweepSourcesUseCase, type SweepResult } from './sweep-sources.use-case';

export class ResolveMismatchDto {
  @ApiProperty({ example: 'Billing is right: the customer moved to pro in March.' })
  reason!: string;
}

/**
 * Operators' view of the sources of truth: stored mismatches, a sweep on demand, and resolving
 * a mismatch by writing the truth to the copies.
 */
@ApiTags('reconciliation')
@ApiBearerAuth()
@RequireRoles('operator')
// Mismatches are per entity across systems of record, not per organisation; a sweep spans them all.
@AllOrganisations()
@Controller('reconciliation')
export class ReconciliationController {
  constructor(
    private readonly mismatches: MismatchRepository,
    private readonly sweep: SweepSourcesUseCase,
    private readonly resolveMismatch: ResolveMismatchUseCase,
  ) {}

  @Get('mismatches')
  @ApiOperation({ summary: 'Stored mismatches, newest first: open ones by default, each with the truth and every disagreeing copy.' })
  @ApiQuery({ name: 'status', required: false, enum: [...MISMATCH_STATUSES, 'all'] })
  @ApiQuery({ name: 'field', required: false, example: 'customer.tier' })
  async list(@Query('status') status?: string, @Query('field') field?: string): Promise<{ mismatches: StoredMismatch[] }> {
    if (status !== undefined && status !== 'all' && !(MISMATCH_STATUSES as readonly string[]).includes(status)) {
      throw new ReconciliationException(ReconciliationErrorCode.InvalidRequest, `status must be one of ${[...MISMATCH_STATUSES, 'all'].join(', ')}`, { path: 'status' }, 'reject');
    }
    const filter = status === 'all' ? {} : { status: (status ?? 'open') as MismatchStatus };
    return { mismatches: await this.mismatches.list({ ...filter, ...(field ? { field } : {}) }) };
  }

  @Get('mismatches/:id')
  @ApiOperation({ summary: 'One mismatch, with how it ended if it did.' })
  async get(@Param('id') id: string): Promise<StoredMismatch> {
    const mismatch = /^[0-9a-f-]{36}$/i.test(id) ? await this.mismatches.get(id) : null;
    if (!mismatch) throw new ReconciliationException(ReconciliationErrorCode.MismatchNotFound, `mismatch ${id} does not exist`, undefined, 'not_found');
    return mismatch;
  }

  @Post('sweep')
  @HttpCode(200)
  @ApiOperation({ summary: 'Compares every reconciled field now: records and announces new mismatches, clears those whose sources agree again.' })
  async sweepNow(): Promise<SweepResult> {
    return this.sweep.execute();
  }

  @Post('mismatches/:id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: "Writes the source of truth's value to the disagreeing copies (read back, audited with the caller as actor) and marks the mismatch resolved." })
  async resolve(@Param('id') id: string, @Body() body: ResolveMismatchDto, @CurrentPrincipal() principal: Principal): Promise<{ mismatch: StoredMismatch }> {
    const reason = (body as Partial<ResolveMismatchDto> | undefined)?.reason;
    if (typeof reason !== 'string' || !reason.trim()) {
      throw new ReconciliationException(ReconciliationErrorCode.InvalidRequest, 'invalid request: /reason is required and must be a non-empty string', { issues: [{ path: '/reason', message: 'is required and must be a non-empty string' }] }, 'reject');
    }
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ReconciliationException(ReconciliationErrorCode.MismatchNotFound, `mismatch ${id} does not exist`, undefined, 'not_found');
    return { mismatch: await this.resolveMismatch.execute({ mismatchId: id, actor: `person:${principal.id}`, reason: reason.trim() }) };
  }
}
