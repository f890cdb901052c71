import { Logger } from '@nestjs/common';
import { PeriodicPurgeService } from '../periodic-purge.service';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const HOUR_MS = 60 * 60 * 1000;

/** A table of `rows` due rows; each batch deletes up to its limit, or fails while `failing` is set. */
class TablePurge extends PeriodicPurgeService {
  readonly batches: Array<{ cutoff: Date; limit: number }> = [];
  readonly reported: Array<{ total: number; cutoff: Date }> = [];
  failing: Error | null = null;
  gate: Promise<void> = Promise.resolve();

  constructor(
    public rows: number,
    private readonly windowMs = 0,
  ) {
    super('test table');
  }

  protected override cutoffAt(now: Date): Date {
    return new Date(now.getTime() - this.windowMs);
  }

  protected async deleteBatch(cutoff: Date, limit: number): Promise<number> {
    await this.gate;
    if (this.failing) throw this.failing;
    this.batches.push({ cutoff, limit });
    const deleted = Math.min(limit, this.rows);
    this.rows -= deleted;
    return deleted;
  }

  protected logPurged(total: number, cutoff: Date): void {
    this.reported.push({ total, cutoff });
  }
}

describe(PeriodicPurgeService.name, () => {
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('deletes in batches of 1000 until a batch comes back short, and returns the total', async () => {
    const sut = new TablePurge(2500);

    await expect(sut.purge(NOW)).resolves.toBe(2500);

    expect(sut.batches.map((b) => b.limit)).toEqual([1000, 1000, 1000]);
    expect(sut.rows).toBe(0);
    expect(sut.reported).toEqual([{ total: 2500, cutoff: NOW }]);
  });

  it('asks for the cutoff of the instant it purges at, and reports nothing when nothing was due', async () => {
    const sut = new TablePurge(0, 7 * 24 * HOUR_MS);

    await expect(sut.purge(NOW)).resolves.toBe(0);

    expect(sut.batches).toEqual([{ cutoff: new Date('2025-02-22T12:00:00.000Z'), limit: 1000 }]);
    expect(sut.reported).toEqual([]);
  });

  it('runs one purge at a time: a purge asked for while one runs starts when it ends', async () => {
    const sut = new TablePurge(1500);
    let open!: () => void;
    sut.gate = new Promise((resolve) => (open = resolve));

    const first = sut.purge(NOW);
    const second = sut.purge(NOW);
    open();

    await expect(first).resolves.toBe(1500);
    await expect(second).resolves.toBe(0);
  });

  it('purges once at start and then hourly, warning of a failure without stopping', async () => {
    jest.useFakeTimers({ now: NOW });
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const sut = new TablePurge(10);
    sut.failing = new Error('connection terminated');

    sut.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(0);
    expect(warn).toHaveBeenCalledWith('test table purge failed: connection terminated');

    sut.failing = null;
    await jest.advanceTimersByTimeAsync(HOUR_MS);
    expect(sut.rows).toBe(0);
    expect(sut.reported).toEqual([{ total: 10, cutoff: new Date(NOW.getTime() + HOUR_MS) }]);

    await sut.beforeApplicationShutdown();
    sut.rows = 5;
    await jest.advanceTimersByTimeAsync(HOUR_MS);
    expect(sut.rows).toBe(5);
  });

  it('lets shutdown wait for the purge under way', async () => {
    const sut = new TablePurge(10);
    let open!: () => void;
    sut.gate = new Promise((resolve) => (open = resolve));
    const running = sut.purge(NOW);

    let stopped = false;
    const stopping = sut.beforeApplicationShutdown().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);

    open();
    await stopping;
    expect(stopped).toBe(true);
    await expect(running).resolves.toBe(10);
  });
});
