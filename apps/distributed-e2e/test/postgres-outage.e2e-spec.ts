// PostgreSQL crashes (pg_ctl stop -m immediate, as a power cut) while runs flow through the
// distributed deployment, stays down for a while, and comes back after crash recovery. This file
// starts a PostgreSQL server of its own on a free port (tools/postgres/postgres.sh with
// BATON_PG_PORT), so the shared test server other suites use is never crashed.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { deadLetterTopic, ingressTopic, Topics } from '@baton/contracts';
// The harness's DistributedHarness always takes its database from the shared test server
// (createTestDatabase); this file needs the same cluster on a server of its own, so it uses the
// Cluster directly, as the harness does.
import { assertBrokerReachable, brokersFromEnv, Cluster, freePort, SERVICES, type ServiceName } from '@baton/testing-cluster';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { KEYS, refundPayload, ROOT } from './cluster.harness';

const RUNS = 100;
/** Runs started per second, from at most IN_FLIGHT requests at once. */
const RATE = 20;
const IN_FLIGHT = 10;
/** Postgres is crashed once this many runs were accepted and this many of them completed. */
const CRASH_AT_ACCEPTED = 50;
const CRASH_AT_COMPLETED = 10;
/** How long the database stays down (a failover or restart takes about this long). */
const OUTAGE_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Refund {
  refundId: string;
  reason: string;
}
interface Message {
  subject?: string;
  body: string;
}
interface TransitionRow {
  id: string;
  run_id: string;
  seq: number;
  from_state: string | null;
  to_state: string;
  stage: string;
  at: Date;
}
interface ReadyBody {
  status: string;
  checks: Record<string, { ok: boolean; detail: string }>;
}

function postgres(command: 'start' | 'stop' | 'crash' | 'resume', port: number): void {
  const result = spawnSync('bash', [join(ROOT, 'tools/postgres/postgres.sh'), command], {
    env: { ...process.env, BATON_PG_PORT: String(port) },
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (result.status !== 0)
    throw new Error(`tools/postgres/postgres.sh ${command} (port ${port}) failed (exit ${result.status}): ${result.stderr}`);
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return (await db.query(sql, params)).rows as T[];
  } finally {
    await db.end();
  }
}

describe('distributed deployment: PostgreSQL crashes and recovers while runs flow', () => {
  let port: number;
  let databaseUrl: string;
  let cluster: Cluster | undefined;
  let brokers: string[];

  beforeAll(async () => {
    brokers = brokersFromEnv();
    await assertBrokerReachable(brokers);
    port = await freePort();
    postgres('start', port);
    databaseUrl = `postgres://baton:baton@127.0.0.1:${port}/baton`;
    const namespace = `e2e-pg-outage-${randomBytes(4).toString('hex')}`;
    cluster = await Cluster.start({ brokers, databaseUrl, namespace, workDir: join(ROOT, 'tmp', 'distributed-e2e', namespace) });
  }, 240_000);

  afterAll(async () => {
    try {
      await cluster?.close();
    } finally {
      if (port) postgres('stop', port);
    }
  }, 120_000);

  it(
    `while ${RUNS} refund runs flow, PostgreSQL is killed (immediate stop) for ${OUTAGE_MS / 1000} s and resumed: /ready reports ` +
      `the outage, every accepted run completes, no refund is executed twice, nothing committed before the crash is lost`,
    async () => {
      const sut = cluster!;
      const tag = `pg-outage-${randomBytes(3).toString('hex')}`;
      const runIds: string[] = new Array(RUNS);
      let accepted = 0;
      const refusals: Record<string, number> = {};
      const timings: Record<string, unknown> = {};
      const begin = Date.now();
      const report = () => process.stdout.write(`postgres outage: ${JSON.stringify(timings)}\n`);

      // A trigger refused while the database is down is sent again with the same Idempotency-Key,
      // as a client would, so a request whose answer was lost never starts a second run.
      const trigger = async (i: number): Promise<string> => {
        const deadline = Date.now() + 180_000;
        let last = '';
        while (Date.now() < deadline) {
          try {
            const response = await fetch(`${sut.url('ingestion')}/workflows/refund-request/runs`, {
              method: 'POST',
              headers: { ...KEYS.submitter, 'content-type': 'application/json', 'idempotency-key': `${tag}-${i}` },
              body: JSON.stringify({ orgId: 'acme', payload: refundPayload(`${tag} ${i}`, 10 + (i % 400)) }),
              signal: AbortSignal.timeout(10_000),
            });
            const body = await response.text();
            if (response.status === 202) return (JSON.parse(body) as { runId: string }).runId;
            if (response.status < 500) throw new Error(`run ${i} refused: ${response.status} ${body}`);
            last = `${response.status} ${body}`;
            refusals[response.status] = (refusals[response.status] ?? 0) + 1;
          } catch (error) {
            if ((error as Error).message.startsWith(`run ${i} refused`)) throw error;
            last = (error as Error).message;
            refusals['network'] = (refusals['network'] ?? 0) + 1;
          }
          await sleep(250);
        }
        throw new Error(`run ${i} not accepted within 180 s: ${last}`);
      };
      let next = 0;
      const worker = async () => {
        while (next < RUNS) {
          const i = next++;
          const due = begin + (i * 1000) / RATE;
          if (due > Date.now()) await sleep(due - Date.now());
          runIds[i] = await trigger(i);
          accepted++;
        }
      };
      const driving = Promise.all(Array.from({ length: IN_FLIGHT }, worker)).then(
        () => (timings['all accepted after s'] = (Date.now() - begin) / 1000),
      );

      // Mid-run: enough runs completed to check they survive, the rest on their way.
      let completedBefore: string[] = [];
      await sut.waitFor(
        'runs to be accepted and completed before the crash',
        async () => {
          if (accepted < CRASH_AT_ACCEPTED) return undefined;
          const rows = await query<{ run_id: string }>(
            databaseUrl,
            `SELECT run_id FROM baton.run_transition WHERE run_id = ANY($1::uuid[]) AND to_state = 'completed'`,
            [runIds.filter(Boolean)],
          );
          completedBefore = rows.map((r) => r.run_id);
          return completedBefore.length >= CRASH_AT_COMPLETED ? true : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 100, progress: () => `${accepted} accepted, ${completedBefore.length} completed` },
      );
      // What was committed just before the crash: the full timelines of the completed runs.
      const before = await query<TransitionRow>(
        databaseUrl,
        `SELECT id::text, run_id, seq, from_state, to_state, stage, at FROM baton.run_transition
        WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, seq`,
        [completedBefore],
      );
      const statesBefore = await sut.runStates(runIds.filter(Boolean));
      postgres('crash', port);
      const crashedAt = Date.now();
      Object.assign(timings, {
        'crashed at s': (crashedAt - begin) / 1000,
        'accepted at crash': accepted,
        'states at crash': statesBefore,
      });

      // While it is down, every service says so on /ready: 503, the database check failing.
      const outage: Partial<Record<ServiceName, { status: number; database?: { ok: boolean; detail: string } }>> = {};
      while (Date.now() - crashedAt < OUTAGE_MS) {
        await Promise.all(
          SERVICES.map(async (service) => {
            const response = await sut
              .http<ReadyBody>(service, 'GET', '/ready')
              .catch((error: Error) => ({ status: 0, body: { status: error.message, checks: {} } as ReadyBody }));
            if (!outage[service] || outage[service]!.status === 200)
              outage[service] = { status: response.status, database: response.body?.checks?.['database'] };
          }),
        );
        await sleep(500);
      }
      timings['ready during outage'] = outage;
      expect(Object.fromEntries(SERVICES.map((s) => [s, { status: outage[s]?.status, databaseOk: outage[s]?.database?.ok }]))).toEqual(
        Object.fromEntries(SERVICES.map((s) => [s, { status: 503, databaseOk: false }])),
      );

      postgres('resume', port);
      const resumedAt = Date.now();
      timings['resumed at s'] = (resumedAt - begin) / 1000;

      // Every service reconnects by itself: /ready is 200 again, and no process exited.
      const notReady: Partial<Record<ServiceName, string>> = {};
      await sut
        .waitFor(
          'every service to be ready again after the database came back',
          async () => {
            const results = await Promise.all(
              SERVICES.map(async (service) => {
                const response = await sut
                  .http<ReadyBody>(service, 'GET', '/ready')
                  .catch((error: Error) => ({ status: 0, body: error.message }));
                if (response.status === 200) delete notReady[service];
                else notReady[service] = `${response.status} ${JSON.stringify(response.body).slice(0, 400)}`;
                return response.status === 200;
              }),
            );
            return results.every(Boolean) ? true : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 500, progress: () => `not ready: ${JSON.stringify(notReady)}` },
        )
        .catch((error) => {
          report();
          throw error;
        });
      timings['all ready again after resume s'] = (Date.now() - resumedAt) / 1000;

      await driving.catch((error) => {
        report();
        throw error;
      });
      timings['refusals while triggering'] = refusals;
      expect(accepted).toBe(RUNS);
      expect(new Set(runIds).size).toBe(RUNS);

      // Every accepted run completes. Checked last: what was lost or done twice is asserted first,
      // so a run of this test that stalls still says whether the crash lost or repeated anything.
      let states: Record<string, number> = {};
      const completion = await sut
        .waitFor(
          `all ${RUNS} runs completed`,
          async () => {
            states = await sut.runStates(runIds);
            return states['completed'] === RUNS ? states : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 1000, progress: () => `states ${JSON.stringify(states)}` },
        )
        .then(
          () => undefined,
          (error: Error) => error,
        );
      timings[completion ? 'states when giving up' : 'all completed after s'] = completion ? states : (Date.now() - begin) / 1000;

      // Nothing committed before the crash is lost: the runs completed then are completed now with
      // exactly the timeline they had (same rows, same order, same times), through the API as well.
      const after = await query<TransitionRow>(
        databaseUrl,
        `SELECT id::text, run_id, seq, from_state, to_state, stage, at FROM baton.run_transition
        WHERE run_id = ANY($1::uuid[]) ORDER BY run_id, seq`,
        [completedBefore],
      );
      expect(after).toEqual(before);
      for (const runId of completedBefore) {
        const response = await sut.http<{ state: string; timeline: unknown[] }>(
          'ingestion',
          'GET',
          `/runs/${runId}`,
          undefined,
          KEYS.operator,
        );
        expect({ runId, status: response.status, state: response.body.state, steps: response.body.timeline.length }).toEqual({
          runId,
          status: 200,
          state: 'completed',
          steps: before.filter((row) => row.run_id === runId).length,
        });
      }

      // No refund executed twice, counted at the sample billing system; one confirmation per refund.
      const samples = (
        await sut.http<Record<string, { effects: Record<string, number> }>>('sample-systems', 'GET', '/samples', undefined, KEYS.operator)
      ).body;
      const billing = (
        await sut.http<{ data: { refunds: Record<string, Refund> } }>('sample-systems', 'GET', '/samples/billing', undefined, KEYS.operator)
      ).body;
      const ours = Object.values(billing.data.refunds).filter((r) => r.reason.startsWith(`${tag} `));
      const notifications = (
        await sut.http<{ data: { messages: Record<string, Message> } }>(
          'sample-systems',
          'GET',
          '/samples/notifications',
          undefined,
          KEYS.operator,
        )
      ).body;
      const refundIds = new Set(ours.map((r) => r.refundId));
      const confirmations = Object.values(notifications.data.messages).filter((m) => m.subject === 'Your refund has been issued');
      const referenced = confirmations
        .map((m) => /Reference: (\S+)/.exec(m.body)?.[1])
        .filter((id): id is string => id !== undefined && refundIds.has(id));
      const refunds = {
        issueRefund: samples['billing']!.effects['issueRefund'],
        refunds: ours.length,
        distinctReasons: new Set(ours.map((r) => r.reason)).size,
        confirmations: confirmations.length,
        distinctConfirmed: new Set(referenced).size,
      };
      timings['refunds'] = refunds;
      expect(refunds.issueRefund).toBe(refunds.distinctReasons);
      expect(refunds.refunds).toBe(refunds.distinctReasons);
      expect(refunds.confirmations).toBe(refunds.distinctConfirmed);

      // What was dead-lettered on the way (none expected: the outage is transient).
      const deadLetters: Record<string, number> = {};
      const stageTopics = [ingressTopic('refund-form'), Topics.runTriggered, Topics.runEnriched, Topics.runDecided, Topics.actionExecuted];
      const admin = new Kafka({ clientId: 'pg-outage-check', brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        for (const logical of stageTopics) {
          const topic = sut.topic(deadLetterTopic(logical));
          deadLetters[logical] = existing.has(topic)
            ? (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0)
            : 0;
        }
        timings['dead letters'] = deadLetters;
      } finally {
        await admin.disconnect();
      }

      report();
      // Every accepted run completed, each with exactly one refund and one confirmation.
      if (completion) {
        throw new Error(
          `not every accepted run completed within 120 s of the outage: states ${JSON.stringify(states)}, dead letters ` +
            `${JSON.stringify(deadLetters)}; process logs under ${sut.options.workDir}`,
        );
      }
      expect(refunds).toEqual({ issueRefund: RUNS, refunds: RUNS, distinctReasons: RUNS, confirmations: RUNS, distinctConfirmed: RUNS });
      expect(deadLetters).toEqual(Object.fromEntries(stageTopics.map((t) => [t, 0])));

      expect(SERVICES.filter((service) => !sut.isRunning(service))).toEqual([]);
    },
    480_000,
  );
});
