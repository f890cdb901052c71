import { canAccessOrg, type Principal } from '@baton/platform-runtime';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { IdCursor } from './id-cursor.util';
import type { LiveEvent } from './live-event.types';
import { LiveFeedRepository } from './live-feed.repository';

export const LIVE_POLL_MS = 400;
const BATCH = 500;

interface Subscriber {
  principal: Principal;
  send(event: LiveEvent): void;
  end(): void;
}

/**
 * One poller per process over the shared run transitions and audit log, fanned out to every
 * connected console, each seeing only its organisation's events. It polls only while someone
 * listens, and starts at the newest rows: a console that connects reads the current state
 * through the API, then follows changes here.
 */
@Injectable()
export class LiveFeed implements OnModuleDestroy {
  private readonly logger = new Logger(LiveFeed.name);
  private readonly subscribers = new Set<Subscriber>();
  private cursors: Promise<{ run: IdCursor; audit: IdCursor }> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(private readonly repository: LiveFeedRepository) {}

  get listeners(): number {
    return this.subscribers.size;
  }

  /** Starts following; resolves once the starting position is fixed. Returns the unsubscribe. */
  async subscribe(subscriber: Subscriber): Promise<() => void> {
    this.cursors ??= this.repository.heads().then((heads) => ({ run: new IdCursor(heads.run), audit: new IdCursor(heads.audit) }));
    try {
      await this.cursors;
    } catch (error) {
      this.cursors = null;
      throw error;
    }
    this.subscribers.add(subscriber);
    this.timer ??= setInterval(() => void this.poll(), LIVE_POLL_MS);
    return () => this.unsubscribe(subscriber);
  }

  /** Reads what is new and tells each subscriber what it may see; one poll at a time. */
  poll(): Promise<void> {
    this.polling ??= this.readOnce().finally(() => (this.polling = null));
    return this.polling;
  }

  onModuleDestroy(): void {
    for (const subscriber of [...this.subscribers]) {
      subscriber.end();
      this.unsubscribe(subscriber);
    }
  }

  private unsubscribe(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // The next console starts from the newest rows again, not from where this one left off.
    this.cursors = null;
  }

  private async readOnce(): Promise<void> {
    const cursors = await this.cursors;
    if (!cursors || this.subscribers.size === 0) return;
    try {
      const [runs, audits] = await Promise.all([
        this.repository.transitions(cursors.run.position, cursors.run.pending, BATCH),
        this.repository.auditEntries(cursors.audit.position, cursors.audit.pending, BATCH),
      ]);
      const now = Date.now();
      const freshRuns = new Set(
        cursors.run.accept(
          runs.map((r) => Number(r.id)),
          now,
        ),
      );
      const freshAudits = new Set(
        cursors.audit.accept(
          audits.map((a) => Number(a.id)),
          now,
        ),
      );
      const events: LiveEvent[] = [
        ...runs.filter((r) => freshRuns.has(Number(r.id))),
        ...audits.filter((a) => freshAudits.has(Number(a.id))),
      ];
      for (const event of events) {
        for (const subscriber of this.subscribers) if (mayReceive(subscriber.principal, event)) subscriber.send(event);
      }
    } catch (error) {
      this.logger.warn(`live feed: reading changes failed, trying again: ${(error as Error).message}`);
    }
  }
}

/** Events of the principal's organisation; those of no organisation only for principals of all. */
export function mayReceive(principal: Principal, event: LiveEvent): boolean {
  return event.orgId === null ? principal.orgId === '*' : canAccessOrg(principal, event.orgId);
}
