import type { AuditChainReport } from '@baton/platform-database';
import { AllOrganisations, RequireRoles } from '@baton/platform-runtime';
import { isSequenceId, ValidQuery } from '@baton/platform-edge';
import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditErrorCode, AuditException } from '../audit.exception';
import { AuditEntryRepository, type AuditEntryView, type AuditPage } from './audit-entry.repository';
import { auditListQuery, type AuditQuery } from './audit-query.util';

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
      'Audit entries, newest first by default (order=asc for oldest first), paged by keyset on id: pass nextCursor as cursor for ' +
      'the next page.',
  })
  @ApiResponse({ status: 400, description: 'A bad parameter; `details.issues` names each one.' })
  async list(@ValidQuery(auditListQuery) query: AuditQuery): Promise<AuditPage> {
    return this.entries.page(query);
  }

  @Get('verify')
  @ApiOperation({
    summary:
      'Walks the hash chain: ok, rows checked, the head (id and hash, to keep elsewhere), and the first edited entry or gap left ' +
      'by removed entries.',
  })
  async verify(): Promise<AuditChainReport> {
    return this.entries.verify();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One audit entry, with the id of the entry that reverted it, if any.' })
  @ApiResponse({ status: 404 })
  async get(@Param('id') id: string): Promise<AuditEntryView & { revertedBy: string | null }> {
    const entry = isSequenceId(id) ? await this.entries.get(id) : null;
    if (!entry) throw new AuditException(AuditErrorCode.EntryNotFound, `audit entry ${id} does not exist`, undefined, 'not_found');
    return { ...entry, revertedBy: (await this.entries.revertOf(id))?.id ?? null };
  }
}
