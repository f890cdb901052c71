import type { AuditChainReport } from '@baton/platform-database';
import { AllOrganisations, RequireRoles } from '@baton/platform-runtime';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditErrorCode, AuditException } from '../audit.exception';
import { AuditEntryRepository, type AuditEntryView, type AuditPage } from './audit-entry.repository';
import { MAX_AUDIT_PAGE, parseAuditQuery } from './audit-query.util';

@ApiTags('audit')
@ApiBearerAuth()
@RequireRoles('operator')
// The log holds every organisation's entries and its chain is one: read by operators of all.
@AllOrganisations()
@Controller('audit')
export class AuditController {
  constructor(private readonly entries: AuditEntryRepository) {}

  @Get()
  @ApiOperation({
    summary:
      'Audit entries, newest first by default (order=asc for oldest first), paged by keyset on id: pass nextCursor as cursor for the next page.',
  })
  @ApiQuery({ name: 'runId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'targetType', required: false, type: String, description: 'run, review, or a connector name (billing, crm, ...)' })
  @ApiQuery({ name: 'targetId', required: false, type: String })
  @ApiQuery({ name: 'actor', required: false, type: String, description: 'system:<service> or person:<id>' })
  @ApiQuery({ name: 'from', required: false, schema: { type: 'string', format: 'date-time' }, description: 'inclusive' })
  @ApiQuery({ name: 'to', required: false, schema: { type: 'string', format: 'date-time' }, description: 'exclusive' })
  @ApiQuery({ name: 'cursor', required: false, type: String, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: MAX_AUDIT_PAGE, default: 50 } })
  @ApiQuery({ name: 'order', required: false, enum: ['desc', 'asc'] })
  @ApiResponse({ status: 400, description: 'A bad parameter; `details.issues` names each one.' })
  async list(@Query() query: Record<string, unknown>): Promise<AuditPage> {
    return this.entries.page(parseAuditQuery(query ?? {}));
  }

  @Get('verify')
  @ApiOperation({
    summary:
      'Walks the hash chain: ok, rows checked, the head (id and hash, to keep elsewhere), and the first edited entry or gap left by removed entries.',
  })
  async verify(): Promise<AuditChainReport> {
    return this.entries.verify();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One audit entry, with the id of the entry that reverted it, if any.' })
  @ApiResponse({ status: 404 })
  async get(@Param('id') id: string): Promise<AuditEntryView & { revertedBy: string | null }> {
    const entry = /^[1-9]\d{0,18}$/.test(id) ? await this.entries.get(id) : null;
    if (!entry) throw new AuditException(AuditErrorCode.EntryNotFound, `audit entry ${id} does not exist`, undefined, 'not_found');
    return { ...entry, revertedBy: (await this.entries.revertOf(id))?.id ?? null };
  }
}
