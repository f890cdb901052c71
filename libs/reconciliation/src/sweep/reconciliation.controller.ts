import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SweepSourcesUseCase } from './sweep-sources.use-case';
import type { Mismatch } from './reconciliation-field.types';

@ApiTags('reconciliation')
@Controller('reconciliation')
export class ReconciliationController {
  constructor(private readonly sweep: SweepSourcesUseCase) {}

  @Get('mismatches')
  @ApiOperation({ summary: 'Runs a sweep now and lists the entities whose copies disagree with the source of truth.' })
  async mismatches(): Promise<{ checked: number; mismatches: Mismatch[] }> {
    return this.sweep.execute();
  }
}
