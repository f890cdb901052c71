import { errorMessage } from '@baton/platform-errors';
import { RUNTIME_OPTIONS, type RuntimeOptions } from '@baton/platform-runtime';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SweepSourcesUseCase } from './sweep-sources.use-case';

/** How often sources are swept when schedules run on their own. */
export const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * Sweeps at start and then every hour, unless the process drives schedules itself (tests).
 * Replicas sweeping at once record each mismatch once (the open-mismatch unique index).
 */
@Injectable()
export class SweepScheduleService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SweepScheduleService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sweep: SweepSourcesUseCase,
    @Inject(RUNTIME_OPTIONS) private readonly options: RuntimeOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.schedules === false) return;
    const tick = () => void this.sweep.execute().catch((error) => this.logger.error(`reconciliation sweep failed: ${errorMessage(error)}`));
    this.timer = setInterval(tick, SWEEP_EVERY_MS);
    this.timer.unref();
    setImmediate(tick);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
