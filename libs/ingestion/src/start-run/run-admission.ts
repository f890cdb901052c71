import { PIPELINE_STATES, TERMINAL_STATES } from '@baton/contracts';
import { BatonMetrics } from '@baton/platform-observability';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/** How `RunAdmission` paces the starts of runs. */
export interface RunAdmissionOptions {
  /**
   * Runs in progress at most before a start waits: runs whose last transition put them in a stage
   * the pipeline works on by itself (triggered, enriched, decided, acting, verifying), made within
   * `recentMs`. Runs waiting for a person, a circuit or a retry are not counted.
   */
  maxInProgress: number;
  /** How often the runs in progress are counted while starts come in (default 50 ms). */
  countEveryMs?: number;
  /** Longest a start waits for room; it then goes ahead all the same (default 10 s). */
  maxWaitMs?: number;
  /** A run whose last transition is older than this no longer counts as in progress (default 30 s). */
  recentMs?: number;
}

/** States as SQL literals (constants of the lifecycle, never input). */
const sqlList = (states: ReadonlySet<string>) => [...states].map((state) => `'${state}'`).join(', ');

/**
 * The runs in progress. The open runs' partial index (`run_head_open`, over the non-terminal
 * states) holds what it reads, so it runs in one round trip however long the history.
 */
const COUNT_IN_PROGRESS = `SELECT count(*) FILTER (WHERE state IN (${sqlList(PIPELINE_STATES)}))::int AS n
   FROM baton.run_head
  WHERE state NOT IN (${sqlList(TERMINAL_STATES)})
    AND since > now() - make_interval(secs => $1)`;

/** Counting stops this long after the last start, and starts again with the next one. */
const IDLE_AFTER_MS = 5_000;

interface Waiter {
  resolve: () => void;
  since: number;
}

/**
 * Paces the starts of runs to what the pipeline gets through. Accepting a run only records its
 * start, so in distributed mode a caller that starts runs faster than the stages finish them
 * (many clients, or one that sends as soon as it is answered) would grow a backlog on the topics
 * without bound, and every run's time to completion with it: an open-loop bench at concurrency
 * 200 saw p50 3 s and p99 4.7–6.4 s at ~550 runs/s, growing for as long as it ran. Here a start
 * waits while the runs in progress (counted in `baton.run_head`, across every ingestion process)
 * number `maxInProgress` or more, so the wait moves to the caller's acceptance and the backlog
 * stays bounded; a start never waits longer than `maxWaitMs`. The count is read every
 * `countEveryMs` while starts come in, and starts admitted since the last count are added to it,
 * so it can overshoot by what other processes start within one count.
 */
export class RunAdmission implements OnModuleDestroy {
  private readonly logger = new Logger(RunAdmission.name);
  private readonly maxInProgress: number;
  private readonly countEveryMs: number;
  private readonly maxWaitMs: number;
  private readonly recentSeconds: number;
  /** Runs in progress at the last count. */
  private inProgress = 0;
  /** Starts admitted since the count in `inProgress` was taken. */
  private admittedSinceCount = 0;
  private readonly waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private lastStart = 0;
  private closed = false;
  private failing = false;

  constructor(
    private readonly dataSource: DataSource,
    options: RunAdmissionOptions,
    private readonly metrics?: BatonMetrics,
  ) {
    this.maxInProgress = options.maxInProgress;
    this.countEveryMs = options.countEveryMs ?? 50;
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.recentSeconds = (options.recentMs ?? 30_000) / 1000;
  }

  /** Resolves when a run may start: at once while the pipeline has room, else once it has (or after `maxWaitMs`). */
  enter(): Promise<void> {
    this.lastStart = Date.now();
    this.keepCounting();
    // Shutting down, nothing counts any more: what still starts is not held.
    if (this.closed || (this.waiting.length === 0 && this.room() > 0)) {
      this.admittedSinceCount++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push({ resolve, since: Date.now() }));
  }

  /** Starts waiting for room now. */
  get waitingStarts(): number {
    return this.waiting.length;
  }

  onModuleDestroy(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.admit(Infinity);
  }

  private room(): number {
    return this.maxInProgress - this.inProgress - this.admittedSinceCount;
  }

  /** Lets waiting starts go while there is room, and those that waited `maxWaitMs` whatever the room. */
  private admit(now: number): void {
    while (this.waiting.length > 0 && (this.room() > 0 || now - this.waiting[0]!.since >= this.maxWaitMs)) {
      const waiter = this.waiting.shift()!;
      this.admittedSinceCount++;
      this.metrics?.runStartWait.observe(Math.max(0, Date.now() - waiter.since) / 1000);
      waiter.resolve();
    }
  }

  private keepCounting(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.count(), this.countEveryMs);
    this.timer.unref();
  }

  private async count(): Promise<void> {
    // Starts admitted from here on are not in the count this query takes.
    const admittedBefore = this.admittedSinceCount;
    try {
      // Raw SQL, kept: a filtered count over a partial index, which the query builder cannot say.
      const [row] = (await this.dataSource.query(COUNT_IN_PROGRESS, [this.recentSeconds])) as Array<{ n: number }>;
      this.inProgress = Number(row?.n ?? 0);
      this.admittedSinceCount -= admittedBefore;
      if (this.failing) this.logger.log('counting the runs in progress again; starts are paced again');
      this.failing = false;
    } catch (error) {
      // Unable to count, nobody is held back: the starts themselves meet the same database.
      if (!this.failing) {
        this.logger.warn(`could not count the runs in progress; starts go ahead unpaced meanwhile: ${(error as Error).message}`);
      }
      this.failing = true;
      this.inProgress = 0;
      this.admittedSinceCount = 0;
    }
    this.metrics?.runsInProgress.set(this.inProgress);
    this.timer = null;
    this.admit(Date.now());
    if (!this.closed && (this.waiting.length > 0 || Date.now() - this.lastStart < IDLE_AFTER_MS)) this.keepCounting();
  }
}
