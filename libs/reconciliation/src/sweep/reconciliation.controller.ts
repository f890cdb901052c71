import { AllOrganisations, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import {
  describeIssues,
  isUuid,
  oneOf,
  requestBody,
  requestQuery,
  ValidBody,
  ValidQuery,
  type Accepted,
  type RequestIssue,
} from '@baton/platform-edge';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { MISMATCH_STATUSES, MismatchRepository, type StoredMismatch } from '../mismatches/mismatch.repository';
import { ResolveMismatchUseCase } from '../mismatches/resolve-mismatch.use-case';
import { ReconciliationErrorCode, ReconciliationException } from '../reconciliation.exception';
import { SweepSourcesUseCase, type SweepResult } from './sweep-sources.use-case';

function invalid(summary: string): (issues: RequestIssue[]) => ReconciliationException {
  return (issues) =>
    new ReconciliationException(ReconciliationErrorCode.InvalidRequest, describeIssues(summary, issues), { issues }, 'reject');
}

/** `GET /reconciliation/mismatches`: open ones unless `status` says otherwise. Unknown parameters are ignored. */
export const mismatchListQuery = requestQuery(
  z.object({
    status: oneOf([...MISMATCH_STATUSES, 'all']).default('open'),
    field: z.string().optional().meta({ example: 'customer.tier' }),
  }),
  { invalid: invalid('invalid query') },
);

/** `POST /reconciliation/mismatches/:id/resolve`. */
export const resolveMismatchRequest = requestBody(
  z.object({
    reason: z
      .string({ error: 'is required and must be a non-empty string' })
      .trim()
      .min(1, { error: 'is required and must be a non-empty string' })
      .meta({ example: 'Billing is right: the customer moved to pro in March.' }),
  }),
  { invalid: invalid('invalid request') },
);

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
  async list(
    @ValidQuery(mismatchListQuery) { status, field }: Accepted<typeof mismatchListQuery>,
  ): Promise<{ mismatches: StoredMismatch[] }> {
    const filter = status === 'all' ? {} : { status };
    return { mismatches: await this.mismatches.list({ ...filter, ...(field ? { field } : {}) }) };
  }

  @Get('mismatches/:id')
  @ApiOperation({ summary: 'One mismatch, with how it ended if it did.' })
  async get(@Param('id') id: string): Promise<StoredMismatch> {
    const mismatch = isUuid(id) ? await this.mismatches.get(id) : null;
    if (!mismatch)
      throw new ReconciliationException(ReconciliationErrorCode.MismatchNotFound, `mismatch ${id} does not exist`, undefined, 'not_found');
    return mismatch;
  }

  @Post('sweep')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Compares every reconciled field now: records and announces new mismatches, clears those whose sources agree again.',
  })
  async sweepNow(): Promise<SweepResult> {
    return this.sweep.execute();
  }

  @Post('mismatches/:id/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Writes the source of truth's value to the disagreeing copies (read back, audited with the caller as actor) and marks the " +
      'mismatch resolved.',
  })
  async resolve(
    @Param('id') id: string,
    @ValidBody(resolveMismatchRequest) { reason }: Accepted<typeof resolveMismatchRequest>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ mismatch: StoredMismatch }> {
    if (!isUuid(id))
      throw new ReconciliationException(ReconciliationErrorCode.MismatchNotFound, `mismatch ${id} does not exist`, undefined, 'not_found');
    return { mismatch: await this.resolveMismatch.execute({ mismatchId: id, actor: `person:${principal.id}`, reason }) };
  }
}
