import { Public } from '@baton/platform-edge';
import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** Probes of the sample-systems process: it is up once it serves HTTP (its systems live in memory). */
@ApiExcludeController()
@Public('probes: process health only, no tenant data')
@Controller()
export class SampleSystemsHealthController {
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(): { status: 'ready' } {
    return { status: 'ready' };
  }
}
