import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TEST_KAFKA_BROKERS, useTestKafka } from '../test-kafka.util';

// Runs against the real broker that tools/kafka/kafka.sh starts (CI always starts one).
const prefix = `baton.it.fixture.${randomUUID().slice(0, 8)}`;

describe(useTestKafka.name, () => {
  const stopped: string[] = [];
  const topic = `${prefix}.written`;

  describe('during the suite', () => {
    const sut = useTestKafka(prefix);

    it('lays overrides over quick test settings, keeping the consumer settings not overridden', () => {
      expect(sut.busOptions(2, { shutdownTimeoutMs: 1_000, consumer: { maxWaitTimeMs: 50 } })).toEqual({
        brokers: TEST_KAFKA_BROKERS,
        clientId: `${prefix}-test`,
        partitions: 2,
        shutdownTimeoutMs: 1_000,
        consumer: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, maxWaitTimeMs: 50 },
      });
    });

    it('counts what a topic holds and what a group committed of it, on the connected broker', async () => {
      await sut.admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
      const producer = sut.kafka.producer();
      await producer.connect();
      try {
        await producer.send({
          topic,
          messages: [
            { key: 'a', value: '1' },
            { key: 'b', value: '2' },
          ],
        });
      } finally {
        await producer.disconnect();
      }

      expect(await sut.endOffset(topic)).toBe(2);
      expect(await sut.committed(`${prefix}.nobody`, topic)).toBe(0);
    });

    it('stops a tracked bus after the test that made it', () => {
      expect(sut.track({ stop: async () => void stopped.push('bus') })).toEqual({ stop: expect.any(Function) });
      expect(stopped).toEqual([]);
    });

    it('has stopped it before the next test', () => {
      expect(stopped).toEqual(['bus']);
    });
  });

  it('deletes the topics of its prefix once the suite is over', async () => {
    expect(await brokerTopics()).not.toContain(topic);
  });
});

/** The broker's topic names, read with a throwaway admin. */
async function brokerTopics(): Promise<string[]> {
  const admin = new Kafka({ clientId: `${prefix}-check`, brokers: TEST_KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await admin.listTopics();
  } finally {
    await admin.disconnect();
  }
}
