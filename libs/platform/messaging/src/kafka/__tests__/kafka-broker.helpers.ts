import { randomUUID } from 'node:crypto';
import {
  connectTestBroker,
  deferred,
  deleteTopicsAndDisconnect,
  eventually as waitUntil,
  TEST_KAFKA_BROKERS,
  within,
} from '@baton/platform-testing';
import type { Admin, Kafka } from 'kafkajs';
import { retryRetriable } from '../broker-retry.util';

// For the integration specs of the Kafka bus's parts: they run against the real broker that
// tools/kafka/kafka.sh starts (CI always starts one); with no broker reachable a suite fails in
// beforeAll rather than skipping.
export const brokers = TEST_KAFKA_BROKERS;

/** Topic and group names of one suite, so suites can share the broker and clean up after themselves. */
export function namesFor(suite: string) {
  const prefix = `baton.it.${suite}.${randomUUID().slice(0, 8)}`;
  let seq = 0;
  return {
    prefix,
    topic: (name: string) => `${prefix}.${name}.${++seq}`,
    group: (name: string) => `${prefix}.${name}.${randomUUID().slice(0, 6)}`,
  };
}

/** A kafkajs client and a connected admin for the test's own look at the broker. */
export const connectToBroker = connectTestBroker;

/** Deletes the suite's topics and disconnects. */
export const cleanUp = deleteTopicsAndDisconnect;

/**
 * Creates a topic and waits until the broker answers for every partition: on a busy broker
 * kafkajs's own wait for leaders fails with "does not host this topic-partition" for a while.
 */
export async function createTopic(admin: Admin, topic: string, partitions = 1): Promise<void> {
  await retryRetriable(`creating ${topic}`, () =>
    admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: partitions }] }),
  );
  await eventually(async () => {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0));
    } catch {
      return false;
    }
  }, `leaders for ${topic}`);
}

export { deferred, within } from '@baton/platform-testing';

/** Polls broker state no event tells of (committed offsets), for up to 10 s by default. */
export const eventually = (check: () => Promise<boolean>, what: string, ms = 10_000): Promise<void> => waitUntil(check, what, ms);

/** The sum over partitions of what the group has committed on the topic. */
export async function committedOn(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

/** Reads `count` records of a topic from the beginning with a throwaway group. */
export async function readTopic(kafka: Kafka, topic: string, group: string, count: number) {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 6_000, heartbeatInterval: 200, maxWaitTimeInMs: 100 });
  const seen: Array<{ partition: number; offset: string; key: string; value: string; headers: Record<string, string> }> = [];
  const all = deferred();
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        seen.push({ partition, offset: message.offset, key: String(message.key), value: String(message.value), headers });
        if (seen.length === count) all.resolve();
      },
    });
    await within(all.promise, 15_000, `${count} record(s) on ${topic}`);
    return seen;
  } finally {
    await consumer.disconnect();
  }
}
