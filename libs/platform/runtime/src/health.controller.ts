import { Controller, Get, Header, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { OutboxRelay } from '@baton/platform-database';
import { MessageBus } from '@baton/platform-messaging';
import { BatonMetrics } from '@baton/platform-observability';
import { DataSource } from 'typeorm';
import { Public } from '@baton/platform-edge';

interface Check {
  ok: boolean;
  detail: string;
}

/** Liveness, readiness and metrics of the process, for probes and Prometheus. */
@ApiTags('health')
@Public('probes and Prometheus: process health only, no tenant data')
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly relay: OutboxRelay,
    private readonly metrics: BatonMetrics,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP.' })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: database reachable, bus connected, outbox relaying. 503 while any is not.' })
  async ready(
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ): Promise<{ status: string; checks: Record<string, Check> }> {
    const checks: Record<string, Check> = {
      database: await this.database(),
      bus: this.bus.health(),
      outbox: this.relay.health(),
    };
    const ok = Object.values(checks).every((c) => c.ok);
    if (!ok) reply.status(503);
    return { status: ok ? 'ready' : 'unavailable', checks };
  }

  @Get('metrics')
  @HttpCode(200)
  @Header('content-type', 'text/plain; version=0.0.4')
  @ApiOperation({ summary: 'Prometheus metrics of this process.' })
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  private async database(): Promise<Check> {
    try {
      await this.dataSource.query('SELECT 1');
      return { ok: true, detail: 'database reachable' };
    } catch (error) {
      return { ok: false, detail: `database unreachable: ${(error as Error).message}` };
    }
  }
}
