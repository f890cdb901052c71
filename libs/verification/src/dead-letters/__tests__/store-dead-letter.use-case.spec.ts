import { randomUUID } from 'node:crypto';
import { ingressTopic, Topics } from '@baton/contracts';
import { BatonMetrics } from '@baton/platform-observability';
import { DeadLetterMetricsService } from '../dead-letter-metrics.service';
import { StoreDeadLetterUseCase } from '../store-dead-letter.use-case';
import { deadLetterOf, decidedEvent, useDeadLetterTestBed, runIn } from './dead-letter.fixture';

describe(StoreDeadLetterUseCase.name, () => {
  const bed = useDeadLetterTestBed();
  let metrics: BatonMetrics;
  let sut: StoreDeadLetterUseCase;

  beforeEach(() => {
    metrics = new BatonMetrics('verification-test');
    sut = new StoreDeadLetterUseCase(bed.ledger, bed.repository, new DeadLetterMetricsService(metrics, bed.repository));
  });

  it('stores a dead letter with where it came from, why it failed and its run, once however often it is delivered', async () => {
    const run = await runIn(bed.ledger, 'acting');
    const event = decidedEvent(run);
    const message = deadLetterOf(Topics.runDecided, run.runId, event, { transient: true });

    const first = await sut.execute(message);
    const again = await sut.execute(message);

    expect(first).toMatchObject({
      fresh: true,
      topic: Topics.runDecided,
      key: run.runId,
      runId: run.runId,
      failureClass: 'transient',
      failedGroup: 'baton-action',
    });
    expect(again).toMatchObject({ id: first.id, fresh: false, runFailed: false });
    const stored = await bed.repository.get(first.id);
    expect(stored).toMatchObject({
      status: 'open',
      dlqTopic: `${Topics.runDecided}.dlq`,
      topic: Topics.runDecided,
      originalPartition: 1,
      originalOffset: expect.stringMatching(/^\d+$/),
      key: run.runId,
      reason: 'retries exhausted after 5 attempts: action refund: billing.issueRefund: server error (503)',
      failureClass: 'transient',
      failedGroup: 'baton-action',
      attempts: 5,
      failedAt: '2025-03-01T09:00:00.000Z',
      runId: run.runId,
      orgId: 'acme',
      eventId: event.id,
      eventType: 'baton.run.decided',
    });
    expect(JSON.parse(stored!.value.toString())).toEqual(event);
    const rows = await bed.dataSource.query(`SELECT count(*)::int AS n FROM verification.dead_letter WHERE run_id = $1`, [run.runId]);
    expect(rows[0].n).toBe(1);
  });

  it(
    'marks a run whose action exhausted its retries failed, ' + 'with its audit entry and a run.completed event, in one transaction',
    async () => {
      const run = await runIn(bed.ledger, 'acting');
      const event = decidedEvent(run);

      const stored = await sut.execute(deadLetterOf(Topics.runDecided, run.runId, event, { transient: true }));

      expect(stored.runFailed).toBe(true);
      expect(await bed.ledger.current(run.runId)).toMatchObject({ state: 'failed' });
      const [transition] = await bed.dataSource.query(
        `SELECT from_state, actor, reason, detail, cause_event_id FROM baton.run_transition WHERE run_id = $1 ORDER BY seq DESC LIMIT 1`,
        [run.runId],
      );
      expect(transition).toMatchObject({
        from_state: 'acting',
        actor: 'system:verification',
        cause_event_id: event.id,
        detail: { deadLetterId: stored.id, failedGroup: 'baton-action', attempts: 5 },
      });
      expect(transition.reason).toContain('retries exhausted after 5 attempts');
      const audit = await bed.dataSource.query(`SELECT actor, action, target_id FROM baton.audit_log WHERE run_id = $1`, [run.runId]);
      expect(audit).toEqual([{ actor: 'system:verification', action: 'run.fail', target_id: run.runId }]);
      const [completed] = await bed.dataSource.query(`SELECT topic, key, value_text::jsonb AS payload FROM baton.outbox WHERE key = $1`, [
        run.runId,
      ]);
      expect(completed).toMatchObject({
        topic: Topics.runCompleted,
        payload: { type: 'baton.run.completed', causationid: event.id, data: { status: 'failed' } },
      });
      expect((await bed.repository.get(stored.id))!.history.map((h) => h.action)).toEqual(['stored', 'run_failed']);
    },
  );

  it('leaves runs alone that a re-drive could not bring back, or that have moved on', async () => {
    // failed → verifying is not a transition of the lifecycle; a completed run has moved on.
    const verifying = await runIn(bed.ledger, 'verifying');
    const decided = await runIn(bed.ledger, 'decided');
    await bed.ledger.transaction((uow) => uow.transition(decided, { to: 'blocked', from: ['decided'], stage: 'test' }));

    const a = await sut.execute(
      deadLetterOf(
        Topics.actionExecuted,
        verifying.runId,
        { ...decidedEvent(verifying), type: 'baton.action.executed' },
        { transient: true, group: 'baton-verification' },
      ),
    );
    const b = await sut.execute(deadLetterOf(Topics.runDecided, decided.runId, decidedEvent(decided)));

    expect([a.runFailed, b.runFailed]).toEqual([false, false]);
    expect(await bed.ledger.current(verifying.runId)).toMatchObject({ state: 'verifying' });
    expect(await bed.ledger.current(decided.runId)).toMatchObject({ state: 'blocked' });
  });

  it('keeps whatever can be kept of a message produced by hand onto a dead-letter topic', async () => {
    const topic = `${ingressTopic('refund-form')}.dlq`;
    const stored = await sut.execute({
      topic,
      partition: 0,
      offset: '7',
      key: 'k\u0000ey',
      value: Buffer.from([0, 1, 2]),
      headers: { 'x-baton-failure-reason': 'bad \u0000 byte', 'x-baton-attempt': '99999999999' },
      attempt: 1,
    });

    expect(await bed.repository.get(stored.id)).toMatchObject({
      topic: ingressTopic('refund-form'),
      key: 'k\uFFFDey',
      reason: 'bad \uFFFD byte',
      failureClass: 'unknown',
      failedGroup: null,
      attempts: 1,
      originalPartition: null,
      originalOffset: null,
      runId: null,
      headers: { 'x-baton-failure-reason': 'bad \uFFFD byte', 'x-baton-attempt': '99999999999' },
      value: Buffer.from([0, 1, 2]),
    });
  });

  it('counts the dead letters it stored, by topic and failure class, and not their redeliveries', async () => {
    const message = deadLetterOf(Topics.runTriggered, randomUUID(), { any: 'thing' });
    await sut.execute(message);
    await sut.execute(message);

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/baton_dead_letters_stored_total\{topic="baton\.run\.triggered",failure_class="data"[^}]*\} 1\n/);
    expect(text).toMatch(/baton_dead_letters_open\{topic="baton\.run\.triggered",failure_class="data"[^}]*\} \d+\n/);
  });
});
