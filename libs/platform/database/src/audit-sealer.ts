import { errorMessage } from '@baton/platform-errors';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { sealAuditChain } from './audit-seal.util';

/**
 * Seals appended audit entries into the hash chain in the background: every `intervalMs`, and
 * soon after a kick (a commit that wrote entries). Every process runs one; the sealer's lock lets
 * one of them work at a time and the others skip the turn.
 */
export class AuditSealer {
  private readonly logger = new Logger(AuditSealer.name);
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly intervalMs = 1000,
    private readonly delayMs = 100,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.seal(), this.intervalMs);
    this.timer.unref();
  }

  /** Seals shortly: entries committed meanwhile go in the same pass. */
  kick(): void {
    if (this.stopped || this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.seal();
    }, this.delayMs);
    this.soon.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    await this.running;
  }

  private seal(): void {
    if (this.stopped || this.running) return;
    this.running = sealAuditChain(this.dataSource)
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn(`sealing audit entries failed, will retry: ${errorMessage(error)}`))
      .finally(() => {
        this.running = null;
      });
  }
}
