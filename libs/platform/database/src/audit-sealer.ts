import { errorMessage } from '@baton/platform-errors';
import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { AUDIT_SEALER_LEADER_KEY } from './audit-chain.util';
import { sealAuditChain } from './audit-seal.util';

export interface AuditSealerOptions {
  /** How often a process without work tries again: a pass, or (with `leader`) to become the leader. */
  intervalMs?: number;
  /** How soon after a kick, or after a pass that sealed something, the next pass runs. */
  delayMs?: number;
  /**
   * Several processes share the database (PostgreSQL): one of them, the holder of a session-level
   * advisory lock on a connection of its own, seals for all; the others only try now and then
   * to take its place. Without it (the embedded database, one process) this process seals.
   */
  leader?: boolean;
}

/**
 * Seals appended audit entries into the hash chain in the background.
 *
 * One process: a pass every `intervalMs`, and soon after a kick (a commit that wrote entries).
 *
 * Several processes (`leader`): the leader passes `delayMs` after a pass that sealed entries and
 * `intervalMs` after one that found none, on its own connection; the others do no pass at all.
 * Before, every process passed after each of its commits and all but one found the pass's lock
 * taken: with six services on PostgreSQL those attempts were about a third of the deployment's
 * round trips to the database. When the leader goes (its process stops or dies, or its
 * connection breaks), PostgreSQL releases its lock and another process takes over within
 * `intervalMs`; meanwhile entries wait, appended and unsealed, and readers and verify seal what
 * they need themselves (`sealAuditChain` with `wait`).
 */
export class AuditSealer {
  private readonly logger = new Logger(AuditSealer.name);
  private readonly intervalMs: number;
  private readonly delayMs: number;
  private readonly leaderMode: boolean;
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private stopped = true;
  /** The leader's connection, holding the leader lock; null while another process leads. */
  private leading: QueryRunner | null = null;

  constructor(
    private readonly dataSource: DataSource,
    options: AuditSealerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.delayMs = options.delayMs ?? 100;
    this.leaderMode = options.leader ?? false;
  }

  start(): void {
    this.stopped = false;
    if (this.leaderMode) {
      this.next(0);
      return;
    }
    this.timer = setInterval(() => this.seal(), this.intervalMs);
    this.timer.unref();
  }

  /** Seals shortly: entries committed meanwhile go in the same pass. The leader keeps its own pace. */
  kick(): void {
    if (this.stopped || this.soon || this.leaderMode) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.seal();
    }, this.delayMs);
    this.soon.unref();
  }

  /** Whether this process is the one that seals for the deployment (always, without `leader`). */
  isLeader(): boolean {
    return !this.leaderMode || this.leading !== null;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    await this.running;
    await this.resign();
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

  /** The leader's turn: take the lead if nobody has it, then pass if leading; then schedule the next. */
  private next(afterMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.turn()
        .catch(async (error: unknown) => {
          this.logger.warn(`sealing audit entries failed, will retry: ${errorMessage(error)}`);
          await this.resign();
          return this.intervalMs;
        })
        .then((wait) => {
          this.running = null;
          this.next(wait);
        });
    }, afterMs);
    this.timer.unref();
  }

  /** One turn; returns how long to wait before the next. */
  private async turn(): Promise<number> {
    if (!this.leading && !(await this.lead())) return this.intervalMs;
    const sealed = await sealAuditChain(this.dataSource, { runner: this.leading! });
    return sealed > 0 ? this.delayMs : this.intervalMs;
  }

  /** Tries to take the lead: true with the lock held on a connection kept for it. */
  private async lead(): Promise<boolean> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      const [row]: Array<{ ok: boolean }> = await runner.query(`SELECT pg_try_advisory_lock($1::bigint) AS ok`, [AUDIT_SEALER_LEADER_KEY]);
      if (row?.ok) {
        this.leading = runner;
        return true;
      }
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
    await runner.release();
    return false;
  }

  /** Gives up the lead (the lock goes with the connection if it broke). */
  private async resign(): Promise<void> {
    const runner = this.leading;
    if (!runner) return;
    this.leading = null;
    try {
      await runner.query(`SELECT pg_advisory_unlock($1::bigint)`, [AUDIT_SEALER_LEADER_KEY]);
      await runner.release();
    } catch (error) {
      // A broken connection: destroyed rather than handed back to the pool (TypeORM's PostgreSQL
      // runner passes the error on to the pool, which then drops the client).
      const destroying = runner as unknown as { releasePostgresConnection?: (error: Error) => Promise<void> };
      await (destroying.releasePostgresConnection?.(error as Error) ?? runner.release()).catch(() => undefined);
    }
  }
}
