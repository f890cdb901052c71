import { randomBytes } from 'node:crypto';
import { deadLetterTopic, ingressTopic, Topics } from '@baton/contracts';
import { DistributedHarness, KEYS, refundPayload, STAGE_SERVICES, type ServiceName } from './cluster.harness';

const RUNS = 1000;
/**
 * Runs started per second, from at most IN_FLIGHT requests at once: a steady flow, not one burst,
 * that lasts (100 s) until the last stage has been killed and restarted.
 */
const RATE = 10;
const IN_FLIGHT = 20;
/** How long each killed process stays dead before it is started again. */
const OUTAGE_MS = 1500;
/** Ingestion is killed once this many runs have been accepted, with requests in flight. */
const KILL_INGESTION_AT = 100;
/**
 * A consuming stage is killed once this many runs wait for it, so runs are on their way to it; the
 * pipeline drains a backlog faster than one builds at this rate, and its outage builds one (asserted).
 */
const BUSY_BACKLOG = 1;
/** The state a run waits in for each consuming stage. */
const WAITS_FOR: Partial<Record<ServiceName, string>> = {
  enrichment: 'triggered',
  decisioning: 'enriched',
  action: 'decided',
  verification: 'verifying',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Refund {
  refundId: string;
  reason: string;
}
interface Message {
  subject?: string;
  body: string;
}

describe('distributed deployment: stage processes killed while runs flow', () => {
  let sut: DistributedHarness;

  beforeAll(async () => {
    sut = await DistributedHarness.start('crashes');
  }, 180_000);
  afterAll(async () => sut?.close(), 60_000);

  it(
    `while ${RUNS} runs flow, each of the five stage processes in turn is killed with SIGKILL and restarted: every run completes, ` +
      `no action is executed twice (counted at the sample systems)`,
    async () => {
      const tag = `crash-${randomBytes(3).toString('hex')}`;
      const runIds: string[] = new Array(RUNS);
      let accepted = 0;
      const timings: Record<string, number | string> = {};
      const begin = Date.now();

      // A trigger is retried with the same Idempotency-Key while ingestion is down or restarting,
      // so a request whose answer was lost in the kill never starts a second run.
      const trigger = async (i: number): Promise<string> => {
        const deadline = Date.now() + 120_000;
        let last = '';
        while (Date.now() < deadline) {
          try {
            const response = await fetch(`${sut.cluster.url('ingestion')}/workflows/refund-request/runs`, {
              method: 'POST',
              headers: { ...KEYS.submitter, 'content-type': 'application/json', 'idempotency-key': `${tag}-${i}` },
              body: JSON.stringify({ orgId: 'acme', payload: refundPayload(`${tag} ${i}`, 10 + (i % 400)) }),
              signal: AbortSignal.timeout(10_000),
            });
            const body = await response.text();
            if (response.status === 202) return (JSON.parse(body) as { runId: string }).runId;
            if (response.status < 500) throw new Error(`run ${i} refused: ${response.status} ${body}`);
            last = `${response.status} ${body}`;
          } catch (error) {
            if ((error as Error).message.startsWith(`run ${i} refused`)) throw error;
            last = (error as Error).message;
          }
          await sleep(200);
        }
        throw new Error(`run ${i} not accepted within 120 s: ${last}`);
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

      const waitingFor = async (service: ServiceName) => (await sut.cluster.runStates(runIds.filter(Boolean)))[WAITS_FOR[service]!] ?? 0;
      // Each process is killed while it is busy: ingestion with requests in flight, a consuming stage
      // with runs on their way to it (the backlog its outage then builds is asserted below). Each is
      // started again and ready (once the broker has expired the dead member's session) before
      // the next one is killed.
      const chaos = async () => {
        for (const service of STAGE_SERVICES) {
          let waiting = 0;
          await sut.cluster.waitFor(
            `${service} to be busy`,
            async () => {
              if (service === 'ingestion') return accepted >= KILL_INGESTION_AT ? true : undefined;
              waiting = await waitingFor(service);
              return waiting >= BUSY_BACKLOG ? true : undefined;
            },
            { timeoutMs: 120_000, show: [service], progress: () => `${accepted} accepted, ${waiting} waiting for ${service}` },
          );
          const killedAt = Date.now();
          timings[`${service} killed at s`] = (killedAt - begin) / 1000;
          timings[`${service} killed at: accepted`] = accepted;
          if (service !== 'ingestion') timings[`${service} killed at: runs waiting for it`] = waiting;
          await sut.kill(service, 'SIGKILL');
          await sleep(OUTAGE_MS);
          // Counted while it is still down: its restarted self may work off a backlog this size
          // before the harness sees it ready.
          if (service !== 'ingestion') timings[`${service} down: runs waiting for it`] = await waitingFor(service);
          await sut.restart(service);
          timings[`${service} ready again after s`] = (Date.now() - killedAt) / 1000;
          if (service !== 'ingestion') timings[`${service} ready again: runs waiting for it`] = await waitingFor(service);
        }
      };
      // The timeline goes to the output whatever happens next, for the lead and for diagnosis.
      const report = () => process.stdout.write(`stage crashes: ${JSON.stringify(timings)}\n`);
      await Promise.all([driving, chaos()]).catch((error) => {
        report();
        throw error;
      });
      expect(accepted).toBe(RUNS);
      // Every consuming stage's outage held runs up on their way to it.
      const heldUp = Object.fromEntries(
        Object.keys(WAITS_FOR).map((service) => [service, Number(timings[`${service} down: runs waiting for it`]) > 0]),
      );
      if (!Object.values(heldUp).every(Boolean)) report();
      expect(heldUp).toEqual({ enrichment: true, decisioning: true, action: true, verification: true });
      expect(new Set(runIds).size).toBe(RUNS);

      let states: Record<string, number> = {};
      await sut.cluster
        .waitFor(
          `all ${RUNS} runs completed`,
          async () => {
            states = await sut.cluster.runStates(runIds);
            return states['completed'] === RUNS ? states : undefined;
          },
          { timeoutMs: 300_000, intervalMs: 1000, progress: () => `states ${JSON.stringify(states)}` },
        )
        .catch((error) => {
          report();
          throw error;
        });
      timings['all completed after s'] = (Date.now() - begin) / 1000;
      report();

      // No run anywhere in the database is left in a non-terminal state (the service apps' own
      // scheduled invoice-aging run included).
      const everything = await sut.cluster.runStates();
      expect(Object.keys(everything).filter((state) => !['completed', 'rejected', 'failed', 'reverted'].includes(state))).toEqual([]);

      // Exactly one refund per run: by effect count and by the refunds billing holds.
      const effects = await sut.effects();
      const billing = await sut.sampleData<{ data: { refunds: Record<string, Refund> } }>('billing');
      const ours = Object.values(billing.data.refunds).filter((r) => r.reason.startsWith(`${tag} `));
      expect({
        issueRefund: effects.billing!.issueRefund,
        refunds: ours.length,
        distinctReasons: new Set(ours.map((r) => r.reason)).size,
      }).toEqual({
        issueRefund: RUNS,
        refunds: RUNS,
        distinctReasons: RUNS,
      });

      // Exactly one confirmation per refund, and every send the outbox counted is a message it holds.
      const outbox = await sut.sampleData<{ data: { messages: Record<string, Message> } }>('notifications');
      const messages = Object.values(outbox.data.messages);
      const refundIds = new Set(ours.map((r) => r.refundId));
      const confirmations = messages.filter((m) => m.subject === 'Your refund has been issued');
      const referenced = confirmations
        .map((m) => /Reference: (\S+)/.exec(m.body)?.[1])
        .filter((id): id is string => id !== undefined && refundIds.has(id));
      expect({ confirmations: confirmations.length, referenced: referenced.length, distinct: new Set(referenced).size }).toEqual({
        confirmations: RUNS,
        referenced: RUNS,
        distinct: RUNS,
      });
      expect(effects.notifications!.send).toBe(messages.length);
      // The only others are the invoice-aging reminders of the scheduled scan, which ingestion runs
      // again when it starts: no invoice was reminded twice.
      const reminders = messages.filter((m) => m.subject !== 'Your refund has been issued').map((m) => m.subject ?? '');
      expect(reminders.every((subject) => subject.startsWith('Payment reminder: invoice '))).toBe(true);
      expect(new Set(reminders).size).toBe(reminders.length);

      // Nothing was dead-lettered on the way.
      const stageTopics = [ingressTopic('refund-form'), Topics.runTriggered, Topics.runEnriched, Topics.runDecided, Topics.actionExecuted];
      const deadLetters = Object.fromEntries(stageTopics.map((t) => [t, sut.consume(sut.topic(deadLetterTopic(t))).length]));
      expect(deadLetters).toEqual(Object.fromEntries(stageTopics.map((t) => [t, 0])));

      expect(STAGE_SERVICES.filter((service) => !sut.cluster.isRunning(service))).toEqual([]);
    },
    480_000,
  );
});
