import { Kafka, logLevel, type Admin } from 'kafkajs';

/** The brokers tools/kafka/kafka.sh starts; CI and `npm test` start them before the tests. */
export const TEST_KAFKA_BROKERS = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',');

/** Options of a bus under test (a subset of the Kafka bus's), with its consumer settings apart so an override keeps the rest. */
export interface TestBusOptions {
  brokers: string[];
  clientId: string;
  partitions?: number;
  shutdownTimeoutMs?: number;
  consumer?: { sessionTimeoutMs?: number; heartbeatIntervalMs?: number; maxWaitTimeMs?: number };
}

export interface TestKafka {
  /** The client and its connected admin; read them inside hooks and tests. */
  readonly kafka: Kafka;
  readonly admin: Admin;
  /**
   * Bus options for `partitions` partitions with `overrides` laid over them. Small session,
   * heartbeat and poll settings keep joins, resumes and shutdowns quick; 6 s is the broker's
   * minimum session timeout.
   */
  busOptions<O extends Partial<TestBusOptions>>(partitions: number, overrides?: O): TestBusOptions & O;
  /** Stops `bus` after the test that made it. */
  track<B extends { stop(): Promise<void> }>(bus: B): B;
  /** Messages written to `topic`, summed over its partitions. */
  endOffset(topic: string): Promise<number>;
  /** Messages of `topic` that `groupId` has committed, summed over its partitions. */
  committed(groupId: string, topic: string): Promise<number>;
}

/**
 * A kafkajs client and a connected admin on the test broker; fails (never skips) when none is
 * reachable, naming the brokers and how to start one.
 */
export async function connectTestBroker(clientId: string): Promise<{ kafka: Kafka; admin: Admin }> {
  const kafka = new Kafka({
    clientId,
    brokers: TEST_KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    retry: { retries: 2 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(
      `no Kafka broker reachable at ${TEST_KAFKA_BROKERS.join(',')} (start one: tools/kafka/kafka.sh start): ${(error as Error).message}`,
    );
  }
  return { kafka, admin };
}

/** Deletes the topics named with `prefix` (a suite's) and disconnects `admin`; nothing when it never connected. */
export async function deleteTopicsAndDisconnect(admin: Admin | undefined, prefix: string): Promise<void> {
  if (!admin) return;
  try {
    const ours = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (ours.length) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Registers, in the calling `describe`, a connection to the real test broker (failing, never
 * skipping, when none is reachable), stops the buses a test tracked after it, and deletes the topics
 * named with `prefix` once the suite is over.
 */
export function useTestKafka(prefix: string): TestKafka {
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  const tracked: Array<{ stop(): Promise<void> }> = [];
  const connected = (): Admin => {
    if (!admin) throw new Error('the test broker connects in beforeAll; use it inside a hook or a test');
    return admin;
  };

  beforeAll(async () => {
    ({ kafka, admin } = await connectTestBroker(`${prefix}-admin`));
  });
  afterEach(async () => {
    await Promise.all(tracked.splice(0).map((bus) => bus.stop()));
  });
  afterAll(async () => deleteTopicsAndDisconnect(admin, prefix));

  return {
    get kafka(): Kafka {
      connected();
      return kafka!;
    },
    get admin(): Admin {
      return connected();
    },
    busOptions: (partitions, overrides) => {
      const consumer = { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 200, maxWaitTimeMs: 100, ...overrides?.consumer };
      return {
        brokers: TEST_KAFKA_BROKERS,
        clientId: `${prefix}-test`,
        partitions,
        shutdownTimeoutMs: 5_000,
        ...overrides,
        consumer,
      } as never;
    },
    track: (bus) => {
      tracked.push(bus);
      return bus;
    },
    endOffset: async (topic) => (await connected().fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0),
    committed: async (groupId, topic) => {
      const [offsets] = await connected().fetchOffsets({ groupId, topics: [topic] });
      return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    },
  };
}
