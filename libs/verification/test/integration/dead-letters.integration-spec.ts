import { randomUUID } from 'node:crypto';
import { Topics } from '@baton/contracts';
import { createSampleSystems } from '@baton/connectors';
import { openServiceDatabase, RunLedger, SERVICE_ROLE } from '@baton/platform-database';
import { BatonMetrics } from '@baton/platform-observability';
import type { Principal } from '@baton/platform-runtime';
import { undoMigrationsThrough, useServiceRoleLogins } from '@baton/platform-testing';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DeadLetterMetricsService } from '../../src/dead-letters/dead-letter-metrics.service';
import { resolveDeadLetterOptions } from '../../src/dead-letters/dead-letter-options.util';
import { DeadLetterRepository } from '../../src/dead-letters/dead-letter.repository';
import { DiscardDeadLetterUseCase } from '../../src/dead-letters/discard-dead-letter.use-case';
import { NotifyDeadLetterGrowthUseCase } from '../../src/dead-letters/notify-dead-letter-growth.use-case';
import { RedriveDeadLettersUseCase } from '../../src/dead-letters/redrive-dead-letters.use-case';
import { StoreDeadLetterUseCase } from '../../src/dead-letters/store-dead-letter.use-case';
import { deadLetterOf, decidedEvent, runIn } from '../../src/dead-letters/__tests__/dead-letter.fixture';
import { verificationEntities, verificationMigrations } from '../../src/index';

const operator: Principal = { id: 'ops@baton.example', orgId: '*', roles: ['operator'] };

/** One replica of the verification service, logged in as a member of the service role. */
function replica(dataSource: DataSource) {
  const ledger = new RunLedger(dataSource, 'verification');
  const repository = new DeadLetterRepository(dataSource);
  const systems = createSampleSystems();
  return {
    ledger,
    repository,
    systems,
    store: new StoreDeadLetterUseCase(ledger, repository, new DeadLetterMetricsService(new BatonMetrics('verification-it'), repository)),
    redrive: new RedriveDeadLettersUseCase(ledger, repository),
    discard: new DiscardDeadLetterUseCase(ledger, repository),
    notify: new NotifyDeadLetterGrowthUseCase(dataSource, repository, systems.registry, resolveDeadLetterOptions({})),
  };
}

/**
 * The dead-letter store on the real server, used the way replicas of the verification service
 * use it: with the service role's grants only, and at the same moment.
 */
describe('dead letters on PostgreSQL', () => {
  const fixture = useServiceRoleLogins({
    prefix: 'verification',
    role: SERVICE_ROLE,
    logins: 2,
    // The owner migrates on a default pool; each replica's login opens a pool of 4.
    open: (url, migrate) =>
      openServiceDatabase(
        { kind: 'postgres', url, ...(migrate ? {} : { poolSize: 4 }) },
        verificationEntities,
        verificationMigrations,
        migrate,
      ),
  });
  const logins = fixture.logins;
  let a: ReturnType<typeof replica>;
  let b: ReturnType<typeof replica>;

  beforeAll(() => {
    Logger.overrideLogger(false);
    a = replica(logins[0]!);
    b = replica(logins[1]!);
  });

  async function failedRun() {
    const run = await runIn(a.ledger, 'acting');
    return { run, stored: await a.store.execute(deadLetterOf(Topics.runDecided, run.runId, decidedEvent(run), { transient: true })) };
  }

  it('stores, fails the run, re-drives and discards with the service role’s grants only', async () => {
    const { run, stored } = await failedRun();
    expect(stored).toMatchObject({ fresh: true, runFailed: true });
    expect((await b.repository.get(stored.id))!.value).toBeInstanceOf(Buffer);

    expect(await b.redrive.execute(operator, { ids: [stored.id], reason: 'back up' })).toEqual([
      expect.objectContaining({ id: stored.id, run: { from: 'failed', to: 'decided' } }),
    ]);
    expect(await b.ledger.current(run.runId)).toMatchObject({ state: 'decided' });

    const other = await failedRun();
    expect(await b.discard.execute(operator, { id: other.stored.id, reason: 'duplicate' })).toMatchObject({ status: 'discarded' });
    // A service may change a dead letter's status, never make one disappear.
    await expect(logins[0]!.query(`DELETE FROM verification.dead_letter WHERE id = $1`, [other.stored.id])).rejects.toThrow(
      /permission denied/,
    );
  });

  it('stores a dead letter delivered to two replicas at once exactly once', async () => {
    const run = await runIn(a.ledger, 'acting');
    const message = deadLetterOf(Topics.runDecided, run.runId, decidedEvent(run), { transient: true });

    const [x, y] = await Promise.all([a.store.execute(message), b.store.execute(message)]);

    expect(x.id).toBe(y.id);
    expect([x.fresh, y.fresh].sort()).toEqual([false, true]);
    expect([x.runFailed, y.runFailed].sort()).toEqual([false, true]);
    const [{ n }] = await fixture.owner.query(
      `SELECT count(*)::int AS n FROM baton.run_transition WHERE run_id = $1 AND to_state = 'failed'`,
      [run.runId],
    );
    expect(n).toBe(1);
  });

  it('lets one of two operators re-driving the same dead letter at once do it; the other is told it was done', async () => {
    const { run, stored } = await failedRun();
    await fixture.owner.query(`DELETE FROM baton.outbox`);

    const results = await Promise.allSettled([
      a.redrive.execute(operator, { ids: [stored.id], reason: 'one' }),
      b.redrive.execute(operator, { ids: [stored.id], reason: 'two' }),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'dead_letter_not_open' } });
    expect(await fixture.owner.query(`SELECT topic, key FROM baton.outbox`)).toEqual([{ topic: Topics.runDecided, key: run.runId }]);
    const [{ n }] = await fixture.owner.query(
      `SELECT count(*)::int AS n FROM baton.audit_log WHERE target_id = $1 AND action = 'dead_letter.redrive'`,
      [stored.id],
    );
    expect(n).toBe(1);
  });

  it('notifies once when two replicas store dead letters of the same topic at once', async () => {
    const topic = `${Topics.runDecided}.race${randomUUID().slice(0, 6)}`;
    const [x, y] = await Promise.all([
      a.store.execute(deadLetterOf(topic, 'k1', { a: 1 })),
      b.store.execute(deadLetterOf(topic, 'k2', { a: 2 })),
    ]);

    const outcomes = await Promise.all([a.notify.execute(x), b.notify.execute(y)]);

    expect(outcomes.sort()).toEqual(['sent', 'suppressed']);
    const sent = [...a.systems.notifications.list(), ...b.systems.notifications.list()].filter((m) => m.subject?.endsWith(topic));
    expect(sent).toHaveLength(1);
  });

  it('has a migration that goes down and up again', async () => {
    // Newer migrations (the stuck-run reports, the shared tables') go down first.
    await undoMigrationsThrough(fixture.owner, 'CreateDeadLetters1764316800000');
    expect(
      await fixture.owner.query(`SELECT to_regclass('verification.dead_letter') AS t, to_regclass('verification.stuck_run_report') AS s`),
    ).toEqual([{ t: null, s: null }]);
    await fixture.owner.runMigrations();
    expect(
      await fixture.owner.query(
        `SELECT to_regclass('verification.dead_letter')::text AS t, to_regclass('verification.stuck_run_report')::text AS s`,
      ),
    ).toEqual([{ t: 'verification.dead_letter', s: 'verification.stuck_run_report' }]);
  });
});
