import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, CurrentPrincipal } from './api-key.guard';
import type { Principal } from './principal.types';

/** Who the presented credentials belong to: how the console signs in and what it offers the caller. */
@ApiTags('auth')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('me')
export class PrincipalController {
  @Get()
  @ApiOperation({ summary: 'The principal of the API key presented: id, organisation (* for all) and roles. 401 for a missing or unknown key.' })
  me(@CurrentPrincipal() principal: Principal): Principal {
    return { id: principal.id, orgId: principal.orgId, roles: [...principal.roles] };
  }
}
