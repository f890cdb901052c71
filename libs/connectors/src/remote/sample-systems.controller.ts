import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { AllOrganisations, RequireRoles } from '@baton/platform-edge';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { SampleSystems } from '../sample/sample-systems.factory';
import type { FaultSettings } from '../sample/sample-system.types';

export const SAMPLE_SYSTEMS = Symbol('SAMPLE_SYSTEMS');

const NAMES = ['crm', 'billing', 'notifications', 'tickets'] as const;
type Name = (typeof NAMES)[number];

/**
 * The sample systems of record, for the walkthrough, demos and fault tests: see their data and
 * effect counts, and switch faults on and off to watch Baton handle them. Their data is every
 * organisation's and a fault hits every organisation, so only operators of all may use them.
 */
@ApiTags('sample systems')
@ApiBearerAuth()
@RequireRoles('operator')
@AllOrganisations()
@Controller('samples')
export class SampleSystemsController {
  constructor(@Inject(SAMPLE_SYSTEMS) private readonly systems: SampleSystems) {}

  @Get()
  @ApiOperation({ summary: 'Each sample system with its write counts and active faults.' })
  list(): Record<string, unknown> {
    return Object.fromEntries(NAMES.map((n) => [n, { effects: this.systems[n].effects(), faults: this.systems[n].faults.current }]));
  }

  @Get(':system')
  @ApiOperation({ summary: "A sample system's current data." })
  data(@Param('system') system: string): unknown {
    return this.system(system).snapshot();
  }

  @Post(':system/faults')
  @ApiOperation({ summary: 'Switch faults on: {"down": true}, {"latencyMs": 200}, {"failNext": {"count": 3, "kind": "server_error"}}.' })
  setFaults(@Param('system') system: string, @Body() body: unknown): unknown {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new BadRequestException('body must be a JSON object of fault settings');
    const target = this.system(system);
    try {
      target.faults.set(body as FaultSettings);
    } catch (error) {
      throw new BadRequestException((error as Error).message);
    }
    return { faults: target.faults.current };
  }

  @Delete(':system/faults')
  @ApiOperation({ summary: 'Clear all faults of a sample system.' })
  clearFaults(@Param('system') system: string): unknown {
    this.system(system).faults.clear();
    return { faults: this.system(system).faults.current };
  }

  @Post('reset')
  @HttpCode(200)
  @ApiOperation({ summary: 'Every sample system back to its seed, effects zeroed and faults cleared.' })
  reset(): { reset: true } {
    this.systems.reset();
    return { reset: true };
  }

  private system(name: string) {
    if (!NAMES.includes(name as Name)) throw new NotFoundException(`no sample system ${name}; known: ${NAMES.join(', ')}`);
    return this.systems[name as Name];
  }
}
