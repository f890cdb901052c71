import { randomUUID } from 'node:crypto';
import type { RunLedger } from '@baton/platform-database';
import type { DataSource } from 'typeorm';
import { openTestDatabase, runIn } from '../../dead-letters/__tests__/dead-letter.fixture';
import { StuckRunRepository } from '../stuck-run.repository';

describe(StuckRunRepository.name, () => {
  let dataSource: DataSource;
  let ledger: RunLedger;
  let sut: StuckRunRepository;

  beforeAll(async () => {
    ({ dataSource, ledger } = await openTestDatabase());
    sut = new StuckRunRepository(dataSource);
  });
  afterAll(async () => dataSource?.destroy());

  it('finds runs waiting in a watched state since before the instant, oldest first, and not finished ones', async () => {
    const older = await runIn(ledger, 'enriched');
    const newer = await runIn(ledger, 'decided');
    const done = await runIn(ledger, 'verifying');
    await ledger.transaction((uow) => uow.transition(done, { to: 'completed', from: ['verifying'], stage: 'test' }));

    const quiet = await sut.quietSince(new Date(Date.now() + 60_000), 10);

    expect(quiet.map((r) => r.runId)).toEqual([older.runId, newer.runId]);
    expect(quiet[0]).toEqual({
      runId: older.runId,
      seq: 2,
      state: 'enriched',
      stage: 'test',
      workflowId: 'refund-request',
      orgId: 'acme',
      since: expect.any(Date),
    });
    expect(await sut.quietSince(new Date(Date.now() - 60_000), 10)).toEqual([]);
    expect(await sut.quietSince(new Date(Date.now() + 60_000), 1)).toHaveLength(1);
  });

  it('records each run and transition reported once, answering which were new', async () => {
    const since = new Date('2025-03-01T09:00:00Z');
    const a = { runId: randomUUID(), seq: 3, state: 'acting', since };
    const b = { runId: randomUUID(), seq: 1, state: 'triggered', since };

    expect(await sut.markReported([a])).toEqual(new Set([a.runId]));
    expect(await sut.markReported([a, b])).toEqual(new Set([b.runId]));
    expect(await sut.markReported([{ ...a, seq: 4 }])).toEqual(new Set([a.runId]));
    expect(await sut.markReported([])).toEqual(new Set());
  });
});
