import { randomBytes, randomUUID } from 'node:crypto';
import type { RunDecided } from '@baton/contracts';
import { openDataSource, RunLedger, SERVICE_ROLE, sharedEntities, sharedMigrations } from '@baton/platform-database';
import { createTestDatabase, undoMigrationsThrough, TEST_POSTGRES_URL, type TestDatabase } from '@baton/platform-testing';
import type { DataSource } from 'typeorm';
import { ConnectorRegistry } from '@baton/connectors';
import { BatonMetrics } from '@baton/platform-observability';
import { CircuitOverrideRepository } from '../../src/circuits/circuit-override.repository';
import {
  actionEntities,
  actionMigrations,
  BlockedRunRepository,
  CircuitBreakers,
  CircuitOverrides,
  QueuedActionRepository,
  resolveActionOptions,
} from '../../src/index';

/**
 * Replicas of the action service share one queue. On the real server, with each replica logged
 * in as a member of the service role: however many drain at once, each queued run is handed to
 * exactly one of them.
 */
describe('action queue drained by several replicas on PostgreSQL', () => {
  let db: TestDatabase;
  let owner: DataSource;
  const replicas: DataSource[] = [];
  const login = `svc_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    db = await createTestDatabase('action');
    owner = await openDataSource({
      database: { kind: 'postgres', url: db.url },
      entities: [...sharedEntities, ...actionEntities],
      migrations: [...sharedMigrations, ...actionMigrations],
    });
    await owner.query(`CREATE ROLE ${login} LOGIN PASSWORD 'svc' IN ROLE ${SERVICE_ROLE}`);
    const url = new URL(db.url);
    url.username = login;
    url.password = 'svc';
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await openDataSource({
          database: { kind: 'postgres', url: url.toString(), poolSize: 4 },
          entities: [...sharedEntities, ...actionEntities],
          migrations: [],
          runMigrations: false,
        }),
      );
    }
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.destroy();
    // A closed client's server process exits a moment later; DROP ... WITH (FORCE) may not end
    // another role's sessions, so wait for them to be gone.
    for (let i = 0; i < 100; i++) {
      const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1`, [login]);
      if (n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await owner?.destroy();
    await db?.drop();
    const admin = await openDataSource({
      database: { kind: 'postgres', url: TEST_POSTGRES_URL },
      entities: [],
      migrations: [],
      runMigrations: false,
    });
    await admin.query(`DROP ROLE IF EXISTS ${login}`);
    await admin.destroy();
  });

  it('hands every queued run to exactly one replica, however many drain at once', async () => {
    const writer = new QueuedActionRepository(replicas[0]!);
    const queued: string[] = [];
    for (let i = 0; i < 40; i++) {
      const runId = randomUUID();
      queued.push(
        await writer.upsert(replicas[0]!.manager, {
          runId,
          workflowId: 'refund-request',
          orgId: 'acme',
          step: 'refund',
          connector: 'billing',
          payload: { runid: runId } as unknown as RunDecided,
          done: [],
          reason: 'billing circuit is open',
        }),
      );
    }

    const claimed: Array<{ id: string; by: string }> = [];
    const drain = async (repository: QueuedActionRepository, by: string) => {
      for (;;) {
        const item = await repository.claim('billing', by, 60_000);
        if (!item) return;
        claimed.push({ id: item.id, by });
      }
    };
    await Promise.all(
      replicas.flatMap((replica, r) => [0, 1, 2].map((w) => drain(new QueuedActionRepository(replica), `replica-${r}/worker-${w}`))),
    );

    expect(claimed.map((c) => c.id).sort()).toEqual([...queued].sort());
    expect(new Set(claimed.map((c) => c.by.split('/')[0])).size).toBe(2);
    const [{ n }] = await owner.query(`SELECT count(*)::int AS n FROM action.queued_action WHERE locked_by IS NULL`);
    expect(n).toBe(0);

    // The service role may also change priorities and remove drained rows.
    await replicas[1]!.transaction(async (manager) => {
      await writer.setPriority(manager, queued[0]!, 7);
      await writer.remove(manager, queued[1]!);
    });
    expect((await writer.list({ connector: 'billing' })).map((q) => [q.id, q.priority])[0]).toEqual([queued[0], 7]);
  });

  it('lists blocked runs of every stage, as the service login, with what the action stage kept of its own', async () => {
    const ledger = new RunLedger(replicas[0]!, 'action');
    const blocked = new BlockedRunRepository(replicas[0]!);
    const ref = () => ({ runId: randomUUID(), workflowId: 'refund-request', workflowVersion: 1, orgId: 'acme' });
    const atEnrichment = ref();
    const atAction = ref();
    const path = [
      [atEnrichment, null, 'triggered', 'ingestion'],
      [atEnrichment, 'triggered', 'blocked', 'enrichment'],
      [atAction, null, 'triggered', 'ingestion'],
      [atAction, 'triggered', 'enriched', 'enrichment'],
      [atAction, 'enriched', 'decided', 'decisioning'],
      [atAction, 'decided', 'acting', 'action'],
      [atAction, 'acting', 'blocked', 'action'],
    ] as const;
    for (const [run, from, to, stage] of path) {
      await ledger.transaction(async (uow) => {
        await uow.transition(run, { to, from: [from], stage, reason: to === 'blocked' ? `blocked at ${stage}` : undefined });
        if (run === atAction && to === 'blocked') {
          await blocked.upsert(uow.manager, {
            ...atAction,
            step: 'refund',
            connector: 'billing',
            payload: { runid: atAction.runId } as unknown as RunDecided,
            done: [],
            reason: 'blocked at action',
          });
        }
      });
    }

    expect(await blocked.listAll({ orgId: 'acme' })).toEqual([
      {
        runId: atEnrichment.runId,
        workflowId: 'refund-request',
        orgId: 'acme',
        stage: 'enrichment',
        reason: 'blocked at enrichment',
        blockedAt: expect.any(String),
      },
      {
        runId: atAction.runId,
        workflowId: 'refund-request',
        orgId: 'acme',
        stage: 'action',
        reason: 'blocked at action',
        blockedAt: expect.any(String),
        step: 'refund',
        connector: 'billing',
        done: [],
        retries: 0,
      },
    ]);
    expect(await blocked.listAll({ orgId: 'globex' })).toEqual([]);
  });

  it('holds a circuit forced through one replica in the other, and releases it there too, audited', async () => {
    const options = resolveActionOptions();
    const connectors = new ConnectorRegistry();
    connectors.register({ name: 'billing', operations: [], call: async () => null });
    const [a, b] = replicas.map((replica) => {
      const circuits = new CircuitBreakers(options, new BatonMetrics('action'));
      return {
        circuits,
        overrides: new CircuitOverrides(
          new CircuitOverrideRepository(replica),
          circuits,
          new RunLedger(replica, 'action'),
          connectors,
          options,
        ),
      };
    });
    const operator = { id: 'operator@baton.example', orgId: '*', roles: ['operator'] };

    await a!.overrides.force(operator, 'billing', 'open', 'maintenance');
    expect(b!.circuits.get('billing').acquire('run-1')).toBe(true);
    await b!.overrides.sync();
    expect(b!.circuits.get('billing').view()).toMatchObject({
      state: 'open',
      override: { state: 'open', by: 'person:operator@baton.example', reason: 'maintenance' },
    });
    expect(b!.circuits.get('billing').acquire('run-1')).toBe(false);

    await b!.overrides.release(operator, 'billing');
    await a!.overrides.sync();
    expect(a!.circuits.get('billing').view()).toMatchObject({ state: 'closed', override: null });
    const audit = await owner.query(
      `SELECT action, actor FROM baton.audit_log WHERE target_type = 'circuit' AND target_id = 'billing' ORDER BY id`,
    );
    expect(audit).toEqual([
      { action: 'circuit.force', actor: 'person:operator@baton.example' },
      { action: 'circuit.release', actor: 'person:operator@baton.example' },
    ]);
  });

  it('migrates down and up again', async () => {
    const table = async (name: string) => (await owner.query(`SELECT to_regclass($1) AS t`, [name]))[0].t;
    // Newer migrations (of the shared tables) go down first; then the circuit overrides, the
    // blocked runs and the queue, one by one.
    await undoMigrationsThrough(owner, 'CreateCircuitOverride1764835300000');
    expect(await table('action.circuit_override')).toBeNull();
    expect(await table('action.blocked_run')).toBe('action.blocked_run');
    await owner.undoLastMigration();
    expect(await table('action.blocked_run')).toBeNull();
    expect(await table('action.queued_action')).toBe('action.queued_action');
    await owner.undoLastMigration();
    expect(await table('action.queued_action')).toBeNull();
    await owner.runMigrations();
    for (const name of ['action.queued_action', 'action.blocked_run', 'action.circuit_override']) {
      expect(await owner.query(`SELECT has_table_privilege('${SERVICE_ROLE}', $1, 'UPDATE') AS ok`, [name])).toEqual([{ ok: true }]);
    }
  });
});
