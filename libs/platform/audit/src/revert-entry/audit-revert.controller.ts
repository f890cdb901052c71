import { AllOrganisations, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { isSequenceId, requestBody, requiredText, ValidBody, type Accepted } from '@baton/platform-edge';
import { Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AuditErrorCode, AuditException, invalidInput } from '../audit.exception';
import { RevertAuditEntryUseCase, type RevertResult } from './revert-audit-entry.use-case';

/** `POST /audit/:id/revert`. The actor is the authenticated principal, never a body field. */
export const revertRequest = requestBody(
  z.strictObject({ reason: requiredText('why').meta({ example: 'Refund issued to the wrong account' }) }),
  {
    invalid: (issues) => invalidInput(AuditErrorCode.InvalidRequest, issues),
    unknownFields: 'last',
  },
);

/** Reverts are an operator's act: the actor is the authenticated principal, never a body field. */
@ApiTags('audit')
@ApiBearerAuth()
@RequireRoles('operator')
@AllOrganisations()
@Controller('audit')
export class AuditRevertController {
  constructor(private readonly revert: RevertAuditEntryUseCase) {}

  @Post(':id/revert')
  @ApiOperation({
    summary:
      "Undoes an audited action through its connector's compensation (idempotency key revert:<id>) and audits the revert. The run " +
      'becomes reverted once all its revertible actions are.',
  })
  @ApiResponse({ status: 201, description: 'Reverted: the revert entry, and whether the run is now reverted.' })
  @ApiResponse({ status: 400, description: 'Bad body; `details.issues` names each field.' })
  @ApiResponse({ status: 404, description: 'No such audit entry.' })
  @ApiResponse({ status: 409, description: 'already_reverted, or run_in_progress.' })
  @ApiResponse({ status: 422, description: 'not_revertible (says why), or revert_failed (the compensation was refused).' })
  @ApiResponse({ status: 503, description: 'revert_unavailable: the system is down or slow; retry later.' })
  async revertEntry(
    @CurrentPrincipal() principal: Principal,
    @Param('id') id: string,
    @ValidBody(revertRequest) body: Accepted<typeof revertRequest>,
  ): Promise<RevertResult> {
    if (!isSequenceId(id))
      throw new AuditException(AuditErrorCode.EntryNotFound, `audit entry ${id} does not exist`, undefined, 'not_found');
    return this.revert.execute({ auditId: id, actor: `person:${principal.id}`, reason: body.reason });
  }
}
