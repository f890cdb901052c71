import { randomUUID } from 'node:crypto';
import type { RunDecided } from '@baton/contracts';
import { openServiceDatabase, RunLedger, SERVICE_ROLE } from '@baton/platform-database';
import { undoMigrationsThrough, useServiceRoleLogins } from '@baton/platform-testing';
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
  const fixture = useServiceRoleLogins({
    prefix: 'action',
    role: SERVICE_ROLE,
    logins: 2,
    // The owner migrates on a default pool; each replica's login opens a pool of 4.
    open: (url, migrate) =>
      openServiceDatabase({ kind: 'postgres', url, ...(migrate ? {} : { poolSize: 4 }) }, actionEntities, actionMigrations, migrate),
  });
  const replicas = fixture.logins;

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
    const [{ n }] = await fixture.owner.query(`SELECT count(*)::int AS n FROM action.queued_action WHERE locked_by IS NULL`);
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
    const audit = await fixture.owner.query(
      `SELECT action, actor FROM baton.audit_log WHERE target_type = 'circuit' AND target_id = 'billing' ORDER BY id`,
    );
    expect(audit).toEqual([
      { action: 'circuit.force', actor: 'person:operator@baton.example' },
      { action: 'circuit.release', actor: 'person:operator@baton.example' },
    ]);
  });

  it('migrates down and up again', async () => {
    const table = async (name: string) => (await fixture.owner.query(`SELECT to_regclass($1) AS t`, [name]))[0].t;
    // Newer migrations (of the shared tables) go down first; then the circuit overrides, the
    // blocked runs and the queue, one by one.
    await undoMigrationsThrough(fixture.owner, 'CreateCircuitOverride1764835300000');
    expect(await table('action.circuit_override')).toBeNull();
    expect(await table('action.blocked_run')).toBe('action.blocked_run');
    await fixture.owner.undoLastMigration();
    expect(await table('action.blocked_run')).toBeNull();
    expect(await table('action.queued_action')).toBe('action.queued_action');
    await fixture.owner.undoLastMigration();
    expect(await table('action.queued_action')).toBeNull();
    await fixture.owner.runMigrations();
    for (const name of ['action.queued_action', 'action.blocked_run', 'action.circuit_override']) {
      expect(await fixture.owner.query(`SELECT has_table_privilege('${SERVICE_ROLE}', $1, 'UPDATE') AS ok`, [name])).toEqual([
        { ok: true },
      ]);
    }
  });
});
