import { AllOrganisations, CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditErrorCode, AuditException, invalidInput, type FieldIssue } from '../audit.exception';
import { RevertAuditEntryUseCase, type RevertCommand, type RevertResult } from './revert-audit-entry.use-case';

export class RevertRequestDto {
  @ApiProperty({ example: 'Refund issued to the wrong account' })
  reason!: string;
}

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
      "Undoes an audited action through its connector's compensation (idempotency key revert:<id>) and audits the revert. The run becomes reverted once all its revertible actions are.",
  })
  @ApiBody({ type: RevertRequestDto })
  @ApiResponse({ status: 201, description: 'Reverted: the revert entry, and whether the run is now reverted.' })
  @ApiResponse({ status: 400, description: 'Bad body; `details.issues` names each field.' })
  @ApiResponse({ status: 404, description: 'No such audit entry.' })
  @ApiResponse({ status: 409, description: 'already_reverted, or run_in_progress.' })
  @ApiResponse({ status: 422, description: 'not_revertible (says why), or revert_failed (the compensation was refused).' })
  @ApiResponse({ status: 503, description: 'revert_unavailable: the system is down or slow; retry later.' })
  async revertEntry(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: unknown): Promise<RevertResult> {
    if (!/^[1-9]\d{0,18}$/.test(id)) throw new AuditException(AuditErrorCode.EntryNotFound, `audit entry ${id} does not exist`, undefined, 'not_found');
    return this.revert.execute({ auditId: id, actor: `person:${principal.id}`, ...parseRevertRequest(body) });
  }
}

function parseRevertRequest(body: unknown): Pick<RevertCommand, 'reason'> {
  const b = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : null) as Record<string, unknown> | null;
  if (!b) throw invalidInput(AuditErrorCode.InvalidRequest, [{ path: '(body)', message: 'must be a JSON object with reason' }]);
  const issues: FieldIssue[] = [];
  const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
  if (!reason) issues.push({ path: '/reason', message: 'is required: why' });
  for (const key of Object.keys(b)) if (key !== 'reason') issues.push({ path: `/${key}`, message: 'is not a known field (expected reason)' });
  if (issues.length) throw invalidInput(AuditErrorCode.InvalidRequest, issues);
  return { reason };
}
