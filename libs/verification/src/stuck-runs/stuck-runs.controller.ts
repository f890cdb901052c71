import { CurrentPrincipal, RequireRoles, type Principal } from '@baton/platform-runtime';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StuckRunWatchdog, type StuckRun } from './stuck-run-watchdog.service';

/** Runs that have waited in one state longer than it allows, for operators (their organisation's). */
@ApiTags('stuck-runs')
@ApiBearerAuth()
@RequireRoles('operator')
@Controller('stuck-runs')
export class StuckRunsController {
  constructor(private readonly watchdog: StuckRunWatchdog) {}

  @Get()
  @ApiOperation({
    summary:
      'Runs stuck now: no transition for longer than their state allows (stage, since when, for how long, the limit), longest first.',
  })
  async list(@CurrentPrincipal() principal: Principal): Promise<{ runs: StuckRun[] }> {
    return { runs: await this.watchdog.list(principal.orgId) };
  }
}
