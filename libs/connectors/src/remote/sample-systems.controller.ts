import { BadRequestException, Controller, Delete, Get, HttpCode, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { AllOrganisations, describeIssues, requestBody, RequireRoles, ValidBody, type Accepted } from '@baton/platform-edge';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { SampleSystems } from '../sample/sample-systems.factory';
import type { FaultKind, FaultSettings } from '../sample/sample-system.types';

export const SAMPLE_SYSTEMS = Symbol('SAMPLE_SYSTEMS');

const NAMES = ['crm', 'billing', 'notifications', 'tickets'] as const;
type Name = (typeof NAMES)[number];

const FAULT_KINDS = [
  'timeout',
  'rate_limited',
  'server_error',
  'bad_request',
  'connection_refused',
] as const satisfies readonly FaultKind[];
// Fails to compile when a fault kind is added to FaultKind but not offered here.
const everyKindOffered: Exclude<FaultKind, (typeof FAULT_KINDS)[number]> extends never ? true : never = true;
void everyKindOffered;

/**
 * `POST /samples/:system/faults`: only the switches named change; a switch given as null turns
 * off. Unknown fields are ignored.
 */
export const faultSettingsRequest = requestBody(
  z.object({
    latencyMs: z
      .number({ error: 'must be a non-negative number' })
      .min(0, { error: 'must be a non-negative number' })
      .nullable()
      .optional()
      .meta({ example: 200 }),
    down: z.boolean({ error: 'must be true or false' }).nullable().optional(),
    failNext: z
      .object(
        {
          count: z
            .int({ error: 'must be a non-negative integer' })
            .min(0, { error: 'must be a non-negative integer' })
            .meta({ description: 'How many of the next calls fail.' }),
          kind: z.enum(FAULT_KINDS, { error: `must be one of ${FAULT_KINDS.join(', ')}` }),
          retryAfterMs: z
            .number({ error: 'must be a non-negative number' })
            .min(0, { error: 'must be a non-negative number' })
            .optional()
            .meta({ description: 'For rate_limited: the wait asked for (default 1000).' }),
          afterApply: z
            .boolean({ error: 'must be true or false' })
            .optional()
            .meta({ description: 'The call takes effect but its response is lost.' }),
        },
        { error: 'must be an object with count and kind' },
      )
      .nullable()
      .optional(),
  }),
  { invalid: (issues) => new BadRequestException({ message: describeIssues('invalid fault settings', issues), details: { issues } }) },
);

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
  setFaults(@Param('system') system: string, @ValidBody(faultSettingsRequest) body: Accepted<typeof faultSettingsRequest>): unknown {
    const target = this.system(system);
    // null and undefined both turn a switch off; the key itself says which switches to touch.
    const settings = Object.fromEntries(Object.entries(body).map(([name, value]) => [name, value ?? undefined])) as FaultSettings;
    try {
      target.faults.set(settings);
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
