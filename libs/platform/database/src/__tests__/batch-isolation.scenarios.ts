import { randomUUID } from 'node:crypto';
import { deadLetterTopic, Headers, type RunRef } from '@baton/contracts';
import { RetriableError } from '@baton/platform-errors';
import { InMemoryBus, type DeliveredMessage } from '@baton/platform-messaging';
import type { DataSource } from 'typeorm';
import { openDataSource, type DatabaseOptions } from '../data-source.factory';
import { sharedMigrations } from '../index';
import { sharedEntities } from '../persistence/shared.entities';
import { RunLedger } from '../run-ledger';

const BATCH = 100;
const ATTEMPTS = 3;

/**
 * A consumer takes a batch of 100 messages from one partition and applies them in one
 * transaction. One poison message among them must neither hold back nor repeat the other 99:
 * they commit once, the poison alone is retried and then dead-lettered, no effect twice.
 * Run on PGlite (unit) and PostgreSQL (integration).
 */
export function batchIsolationScenarios(database: () => Promise<{ options: DatabaseOptions; cleanup?: () => Promise<void> }>): void {
  let dataSource: DataSource;
  let cleanup: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    const db = await database();
    cleanup = db.cleanup;
    dataSource = await openDataSource({ database: db.options, entities: sharedEntities, migrations: sharedMigrations });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await cleanup?.();
  });

  async function consumeBatchWithPoison(poison: (run: RunRef, uow: Parameters<Parameters<RunLedger['consume']>[1]>[0]) => Promise<void>) {
    const ledger = new RunLedger(dataSource, 'batch');
    const bus = new InMemoryBus({ partitions: 1, batchSize: 256, retry: { maxAttempts: ATTEMPTS, initialDelayMs: 5, maxDelayMs: 10 } });
    const runs: RunRef[] = Array.from({ length: BATCH }, () => ({
      runId: randomUUID(),
      workflowId: 'wf',
      workflowVersion: 1,
      orgId: 'acme',
    }));
    const poisonRun = runs[37]!;
    const deliveries = new Map<string, number>();
    const topic = `batch.${randomUUID()}`;
    bus.subscribe({
      groupId: 'g',
      topics: [topic],
      handle: async (message: DeliveredMessage) => {
        const { runId, eventId } = JSON.parse(message.value.toString()) as { runId: string; eventId: string };
        deliveries.set(runId, (deliveries.get(runId) ?? 0) + 1);
        const run = runs.find((r) => r.runId === runId)!;
        const outcome = await ledger.consume({ consumer: 'g', eventId }, async (uow) => {
          if (runId === poisonRun.runId) await poison(run, uow);
          await uow.transition(run, { to: 'triggered', stage: 'batch' });
          await uow.audit({ actor: 'system:batch', action: 'effect', targetType: 'run', targetId: runId, runId });
          await uow.emit({ topic: `${topic}.out`, key: runId, payload: { runId } });
        });
        return outcome.outcome;
      },
    });
    // All 100 are waiting before the consumer starts, so they arrive as one batch.
    await bus.publish(
      runs.map((r) => ({ topic, key: r.runId, value: Buffer.from(JSON.stringify({ runId: r.runId, eventId: randomUUID() })) })),
    );
    await bus.start();
    await bus.idle();
    await bus.stop();
    return { runs, poisonRun, deliveries, dead: bus.retained(deadLetterTopic(topic)), topic };
  }

  async function written(runIds: string[]) {
    const [counts] = await dataSource.query(
      `SELECT (SELECT count(*)::int FROM baton.run_transition WHERE run_id = ANY($1::uuid[])) AS transitions,
              (SELECT count(DISTINCT at)::int FROM baton.run_transition WHERE run_id = ANY($1::uuid[])) AS commits,
              (SELECT count(*)::int FROM baton.audit_log WHERE run_id = ANY($1::uuid[])) AS effects,
              (SELECT count(*)::int FROM baton.outbox WHERE key = ANY($2::text[])) AS events`,
      [runIds, runIds],
    );
    return counts as { transitions: number; commits: number; effects: number; events: number };
  }

  it.each([
    ['throws in its work', async () => Promise.reject(new RetriableError('the poison cannot be applied'))],
    [
      'makes the database refuse a statement',
      async (_run: RunRef, uow: { manager: { query: (sql: string) => Promise<unknown> } }) => {
        await uow.manager.query(`SELECT 1 / 0`);
      },
    ],
  ] as const)('commits the other 99 once when the poison %s; the poison is retried, then dead-lettered', async (_, poison) => {
    const { runs, poisonRun, deliveries, dead } = await consumeBatchWithPoison(poison as never);
    const others = runs.filter((r) => r !== poisonRun).map((r) => r.runId);
    // The 99 were delivered once and written once, in one transaction (one commit time).
    expect(others.map((id) => deliveries.get(id))).toEqual(others.map(() => 1));
    expect(await written(others)).toEqual({ transitions: 99, commits: 1, effects: 99, events: 99 });
    // The poison: every attempt of the policy, then its dead letter; nothing of it written.
    expect(deliveries.get(poisonRun.runId)).toBe(ATTEMPTS);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.key).toBe(poisonRun.runId);
    expect(dead[0]!.headers[Headers.failureReason]).toMatch(/^retries exhausted after 3 attempts: /);
    expect(await written([poisonRun.runId])).toEqual({ transitions: 0, commits: 0, effects: 0, events: 0 });
  });
}
