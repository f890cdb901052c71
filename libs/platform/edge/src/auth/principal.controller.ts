import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRoles } from './api-key.guard';
import { Roles, type Principal } from './principal.types';

/** Who the presented credentials belong to: how the console signs in and what it offers the caller. */
@ApiTags('auth')
@ApiBearerAuth()
// Any key Baton knows may ask who it is.
@RequireRoles(...Object.values(Roles))
@Controller('me')
export class PrincipalController {
  @Get()
  @ApiOperation({
    summary: 'The principal of the API key presented: id, organisation (* for all) and roles. 401 for a missing or unknown key.',
  })
  me(@CurrentPrincipal() principal: Principal): Principal {
    return { id: principal.id, orgId: principal.orgId, roles: [...principal.roles] };
  }
}
