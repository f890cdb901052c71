import { randomUUID } from 'node:crypto';
import { Headers as BatonHeaders, ingressTopic, Topics } from '@baton/contracts';
import { DomainException } from '@baton/platform-errors';
import type { Principal } from '@baton/platform-runtime';
import { REDRIVE_OF_HEADER } from '../dead-letter-message.util';
import { DiscardDeadLetterUseCase } from '../discard-dead-letter.use-case';
import { RedriveDeadLettersUseCase } from '../redrive-dead-letters.use-case';
import { deadLetterOf, decidedEvent, useDeadLetterTestBed, runIn } from './dead-letter.fixture';

const operator: Principal = { id: 'ops@baton.example', orgId: '*', roles: ['operator'] };

describe(RedriveDeadLettersUseCase.name, () => {
  const bed = useDeadLetterTestBed(['baton.outbox']);
  let discard: DiscardDeadLetterUseCase;
  let sut: RedriveDeadLettersUseCase;

  beforeAll(() => {
    discard = new DiscardDeadLetterUseCase(bed.ledger, bed.repository);
    sut = new RedriveDeadLettersUseCase(bed.ledger, bed.repository);
  });

  async function failedRun() {
    const run = await runIn(bed.ledger, 'acting');
    const event = decidedEvent(run);
    const stored = await bed.store.execute(deadLetterOf(Topics.runDecided, run.runId, event, { transient: true }));
    await bed.dataSource.query(`DELETE FROM baton.outbox`);
    return { run, event, stored };
  }

  async function codeOf(work: Promise<unknown>): Promise<{ code: string; disposition: string; message: string }> {
    const error = await work.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DomainException);
    const { code, disposition, message } = error as DomainException;
    return { code, disposition, message };
  }

  it(
    'sends the original value back to the original topic with the same key and fresh headers, ' +
      'and moves the failed run back to decided',
    async () => {
      const { run, event, stored } = await failedRun();

      const result = await sut.execute(operator, { ids: [stored.id], reason: 'billing is back' });

      expect(result).toEqual([
        { id: stored.id, topic: Topics.runDecided, key: run.runId, runId: run.runId, run: { from: 'failed', to: 'decided' } },
      ]);
      // The event as stored: its text, read back as JSON.
      const outbox = await bed.dataSource.query(
        `SELECT service, topic, key, value_text::jsonb AS payload, headers_text::jsonb AS headers FROM baton.outbox`,
      );
      expect(outbox).toEqual([
        { service: 'verification', topic: Topics.runDecided, key: run.runId, payload: event, headers: expect.any(Object) },
      ]);
      // The trace continues; nothing of the failed delivery (attempts, reason, origin) carries over.
      expect(outbox[0].headers).toEqual({
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        [BatonHeaders.eventType]: event.type,
        [REDRIVE_OF_HEADER]: stored.id,
      });
      expect(await bed.ledger.current(run.runId)).toMatchObject({ state: 'decided' });
      const [transition] = await bed.dataSource.query(
        `SELECT from_state, to_state, actor, reason FROM baton.run_transition WHERE run_id = $1 ORDER BY seq DESC LIMIT 1`,
        [run.runId],
      );
      expect(transition).toEqual({
        from_state: 'failed',
        to_state: 'decided',
        actor: 'person:ops@baton.example',
        reason: `dead letter ${stored.id} re-driven: billing is back`,
      });
      expect(await bed.repository.get(stored.id)).toMatchObject({
        status: 'redriven',
        resolvedBy: 'person:ops@baton.example',
        resolutionReason: 'billing is back',
        resolvedAt: expect.any(String),
      });
      const audit = await bed.dataSource.query(
        `SELECT actor, action, target_type, target_id, reason, run_id, before, after FROM baton.audit_log WHERE target_id = $1`,
        [stored.id],
      );
      expect(audit).toEqual([
        {
          actor: 'person:ops@baton.example',
          action: 'dead_letter.redrive',
          target_type: 'dead_letter',
          target_id: stored.id,
          reason: 'billing is back',
          run_id: run.runId,
          before: expect.objectContaining({ status: 'open', failureClass: 'transient', attempts: 5 }),
          after: { status: 'redriven', topic: Topics.runDecided, key: run.runId, run: { from: 'failed', to: 'decided' } },
        },
      ]);
    },
  );

  it('re-drives several at once, oldest first, or none of them when one cannot be', async () => {
    const a = await failedRun();
    const b = await failedRun();
    const gone = await failedRun();
    await discard.execute(operator, { id: gone.stored.id, reason: 'duplicate of another run' });

    const refused = await codeOf(sut.execute(operator, { ids: [a.stored.id, b.stored.id, gone.stored.id], reason: 'all of them' }));
    expect(refused).toMatchObject({ code: 'dead_letter_not_open', disposition: 'conflict' });
    expect(refused.message).toContain(`dead letter ${gone.stored.id} was discarded by person:ops@baton.example`);
    expect(await bed.dataSource.query(`SELECT * FROM baton.outbox`)).toEqual([]);
    expect(await bed.ledger.current(a.run.runId)).toMatchObject({ state: 'failed' });

    const done = await sut.execute(operator, { ids: [b.stored.id, a.stored.id, b.stored.id], reason: 'both' });
    expect(done.map((d) => d.id)).toEqual([a.stored.id, b.stored.id]);
    expect((await bed.dataSource.query(`SELECT key FROM baton.outbox ORDER BY id`)).map((r: { key: string }) => r.key)).toEqual([
      a.run.runId,
      b.run.runId,
    ]);
  });

  it('refuses what was already re-driven (409), does not exist (404) or could never be read (422)', async () => {
    const { stored } = await failedRun();
    await sut.execute(operator, { ids: [stored.id], reason: 'first' });
    const poison = await bed.store.execute(deadLetterOf(ingressTopic('refund-form'), 'p', '{"orgId": '));

    expect(await codeOf(sut.execute(operator, { ids: [stored.id], reason: 'again' }))).toMatchObject({
      code: 'dead_letter_not_open',
      disposition: 'conflict',
      message: expect.stringContaining(`dead letter ${stored.id} was already re-driven by person:ops@baton.example`),
    });
    const unknown = randomUUID();
    expect(await codeOf(sut.execute(operator, { ids: [unknown], reason: 'x' }))).toMatchObject({
      code: 'dead_letter_not_found',
      disposition: 'not_found',
      message: `dead letter ${unknown} does not exist`,
    });
    expect(await codeOf(sut.execute(operator, { ids: [poison.id], reason: 'x' }))).toMatchObject({
      code: 'dead_letter_not_redrivable',
      disposition: 'unprocessable',
      message: expect.stringContaining('not JSON'),
    });
  });

  it('hides dead letters of other organisations from an operator bound to one', async () => {
    const { stored } = await failedRun();
    const globexOperator: Principal = { id: 'ops@globex.example', orgId: 'globex', roles: ['operator'] };
    expect(await codeOf(sut.execute(globexOperator, { ids: [stored.id], reason: 'x' }))).toMatchObject({ code: 'dead_letter_not_found' });
    expect(await codeOf(discard.execute(globexOperator, { id: stored.id, reason: 'x' }))).toMatchObject({ code: 'dead_letter_not_found' });
  });

  it('leaves a run that is not failed where it is, and still re-drives its message', async () => {
    const run = await runIn(bed.ledger, 'triggered');
    const stored = await bed.store.execute(
      deadLetterOf(
        Topics.runTriggered,
        run.runId,
        { ...decidedEvent(run), type: 'baton.run.triggered' },
        { transient: true, group: 'baton-enrichment' },
      ),
    );
    expect(stored.runFailed).toBe(false);

    expect(await sut.execute(operator, { ids: [stored.id], reason: 'crm is back' })).toEqual([
      expect.objectContaining({ id: stored.id, run: null }),
    ]);
    expect(await bed.ledger.current(run.runId)).toMatchObject({ state: 'triggered' });
    expect(await bed.dataSource.query(`SELECT topic FROM baton.outbox`)).toEqual([{ topic: Topics.runTriggered }]);
  });
});

describe(DiscardDeadLetterUseCase.name, () => {
  const bed = useDeadLetterTestBed();
  let sut: DiscardDeadLetterUseCase;

  beforeAll(() => {
    sut = new DiscardDeadLetterUseCase(bed.ledger, bed.repository);
  });

  it('closes a dead letter for good with who and why, audited, and only once', async () => {
    const stored = await bed.store.execute(deadLetterOf(ingressTopic('refund-form'), 'p', 'not json'));

    const discarded = await sut.execute(operator, { id: stored.id, reason: 'test message' });

    expect(discarded).toMatchObject({ status: 'discarded', resolvedBy: 'person:ops@baton.example', resolutionReason: 'test message' });
    expect(discarded.history.map((h) => h.action)).toEqual(['stored', 'discarded']);
    expect(
      await bed.dataSource.query(`SELECT actor, action, target_id, reason FROM baton.audit_log WHERE target_id = $1`, [stored.id]),
    ).toEqual([{ actor: 'person:ops@baton.example', action: 'dead_letter.discard', target_id: stored.id, reason: 'test message' }]);
    await expect(sut.execute(operator, { id: stored.id, reason: 'again' })).rejects.toMatchObject({
      code: 'dead_letter_not_open',
      message: expect.stringContaining('was discarded by person:ops@baton.example'),
    });
  });
});
