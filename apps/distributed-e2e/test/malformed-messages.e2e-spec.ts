import { randomUUID } from 'node:crypto';
import { deadLetterTopic, EventTypes, Headers, ingressTopic, Topics } from '@baton/contracts';
import { DistributedHarness, refundPayload, type KcatRecord, type ServiceName } from './cluster.harness';

const PARTITIONS = 3;
const INVALID_JSON = '{"specversion": "1.0", "runid": ';
/** The Confluent wire format naming a schema id the registry never issued (0x7f7f7f7f: bytes kcat reads as text). */
const UNKNOWN_SCHEMA_ID = 0x7f7f7f7f;
const framedWithUnknownId = (json: string) => `\u0000${'\u007f'.repeat(4)}${json}`;

/** Valid JSON, a CloudEvent of the topic's type for `runId`, whose data breaks the event schema. */
function schemaViolation(type: string, runId: string): string {
  return JSON.stringify({
    specversion: '1.0',
    id: randomUUID(),
    source: 'kcat',
    type,
    time: new Date().toISOString(),
    subject: runId,
    runid: runId,
    workflowid: 'refund-request',
    workflowversion: 1,
    orgid: 'acme',
    correlationid: runId,
    data: { bogus: true },
  });
}

describe('distributed deployment: a malformed message on any topic', () => {
  let sut: DistributedHarness;

  beforeAll(async () => {
    sut = await DistributedHarness.start('malformed', { partitions: PARTITIONS });
  }, 180_000);
  afterAll(async () => sut?.close(), 60_000);

  /** The dead letters on `topic`'s dlq with `key`, once `count` have arrived. */
  const deadLetters = (topic: string, key: string, count: number, consumer: ServiceName) =>
    sut.waitForRecords(deadLetterTopic(topic), (r) => r.key === key, count, { show: [consumer] });

  /** The run's good record sits behind the malformed ones on their partition, and was consumed past them. */
  function expectFlowPast(topic: string, poisoned: KcatRecord[], runId: string, options: { samePartition: boolean }): void {
    const good = sut
      .consume(topic)
      .filter((r) => r.key === runId && r.payload?.includes('"specversion":"1.0"') && !r.payload.includes('"bogus"'));
    expect(good).toHaveLength(1);
    const before = poisoned.filter((bad) => bad.partition === good[0]!.partition);
    expect(before.length).toBe(options.samePartition ? poisoned.length : 2);
    for (const bad of before) expect(bad.offset).toBeLessThan(good[0]!.offset);
  }

  it('on the ingress topic: lands in its dead-letter topic with the reason, and the partition keeps flowing', async () => {
    const topic = sut.topic(ingressTopic('refund-form'));
    const key = `order-${randomUUID()}`;
    const reason = `after the bad ones ${randomUUID()}`;
    sut.produce(topic, key, '{"orgId": "acme", "payload": ');
    sut.produce(topic, key, JSON.stringify({ payload: refundPayload('no organisation') }));
    sut.produce(topic, key, JSON.stringify({ orgId: 'acme', payload: refundPayload(reason) }));

    const runId = await sut.waitForRunWithReason(reason);
    await sut.waitForRun(runId);
    const dead = await deadLetters(topic, key, 2, 'ingestion');
    expect(
      dead.map((r) => [r.payload, r.headers[Headers.failureReason], r.headers[Headers.originalTopic], r.headers[Headers.failureClass]]),
    ).toEqual([
      ['{"orgId": "acme", "payload": ', expect.stringContaining('is not valid JSON'), topic, 'data'],
      [expect.stringContaining('no organisation'), expect.stringContaining('/orgId is required'), topic, 'data'],
    ]);
    const all = sut.consume(topic).filter((r) => r.key === key);
    expect(all.map((r) => r.partition)).toEqual([all[0]!.partition, all[0]!.partition, all[0]!.partition]);
  }, 120_000);

  it(
    'on baton.run.triggered (keys are run ids no one knows in advance, so every partition gets the bad messages first): ' +
      'dead-lettered with the reason, and the next run flows',
    async () => {
      const topic = sut.topic(Topics.runTriggered);
      const poison = Array.from({ length: PARTITIONS }, (_, p) => `poison-${p}-${randomUUID()}`);
      poison.forEach((key, partition) => {
        sut.produce(topic, key, INVALID_JSON, { partition });
        sut.produce(topic, key, schemaViolation(EventTypes.runTriggered, randomUUID()), { partition });
      });
      const runId = await sut.startRun(refundPayload(`after poison on every partition ${randomUUID()}`));
      await sut.waitForRun(runId);

      const dead = await sut.waitForRecords(deadLetterTopic(topic), (r) => poison.includes(r.key ?? ''), 2 * PARTITIONS, {
        show: ['enrichment'],
      });
      for (const key of poison) {
        expect(dead.filter((r) => r.key === key).map((r) => r.headers[Headers.failureReason])).toEqual([
          expect.stringContaining('is not valid JSON'),
          expect.stringMatching(/violates its contract: .*\/data/),
        ]);
      }
      expectFlowPast(
        topic,
        sut.consume(topic).filter((r) => poison.includes(r.key ?? '')),
        runId,
        { samePartition: false },
      );
    },
    120_000,
  );

  // The run's own key: its upstream stage is stopped while the run waits for it, the bad messages
  // go onto the topic under the run's id, then the upstream stage starts again and publishes the
  // run's good event behind them on the same partition.
  it.each<[topic: string, type: string, upstream: ServiceName, consumer: ServiceName]>([
    [Topics.runEnriched, EventTypes.runEnriched, 'enrichment', 'decisioning'],
    [Topics.runDecided, EventTypes.runDecided, 'decisioning', 'action'],
    [Topics.actionExecuted, EventTypes.actionExecuted, 'action', 'verification'],
  ])(
    'on %s: lands in its dead-letter topic with the reason, and the same key keeps flowing',
    async (logical, type, upstream, consumer) => {
      const topic = sut.topic(logical);
      await sut.kill(upstream, 'SIGTERM');
      let runId: string;
      try {
        runId = await sut.startRun(refundPayload(`after poison on ${logical} ${randomUUID()}`));
        sut.produce(topic, runId, INVALID_JSON);
        sut.produce(topic, runId, schemaViolation(type, runId));
        sut.produce(topic, runId, framedWithUnknownId(schemaViolation(type, runId)));
      } finally {
        await sut.restart(upstream);
      }
      const run = await sut.waitForRun(runId);
      expect(run.timeline.map((e) => e.to)).toEqual(['triggered', 'enriched', 'decided', 'acting', 'verifying', 'completed']);

      const dead = await deadLetters(topic, runId, 3, consumer);
      expect(
        dead.map((r) => [r.headers[Headers.failureReason], r.headers[Headers.originalTopic], r.headers[Headers.failureClass]]),
      ).toEqual([
        [expect.stringContaining('is not valid JSON'), topic, 'data'],
        [expect.stringMatching(/violates its contract: .*\/data/), topic, 'data'],
        [expect.stringContaining(`names schema id ${UNKNOWN_SCHEMA_ID}, which the registry at`), topic, 'data'],
      ]);
      expect(dead[0]!.payload).toBe(INVALID_JSON);
      expect(JSON.parse(dead[1]!.payload!)).toMatchObject({ type, runid: runId, data: { bogus: true } });
      const poisoned = sut.consume(topic).filter((r) => r.key === runId && (r.payload === INVALID_JSON || r.payload?.includes('"bogus"')));
      expectFlowPast(topic, poisoned, runId, { samePartition: true });
      // A message that can never succeed is not retried: nothing of this run on the retry topic.
      expect(sut.consume(`${topic}.retry`).filter((r) => r.key === runId)).toEqual([]);
    },
    120_000,
  );
});
