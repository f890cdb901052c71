// Kafka smoke test (plain ESM, kafkajs from the repo's node_modules):
// creates a topic with 3 partitions, produces one message per partition with a key
// and headers, consumes them back with a fresh consumer group and checks
// key / value / headers / partition, then deletes the topic.
//
//   node tools/kafka/smoke.mjs [bootstrap]     (default 127.0.0.1:${BATON_KAFKA_PORT:-9092})
//
// Prints "kafka smoke: ok ..." and exits 0, or prints the failure and exits 1.
import './kafkajs-quiet.mjs';
import kafkajs from 'kafkajs';

const { Kafka, logLevel, Partitioners } = kafkajs;

const bootstrap = process.argv[2] || process.env.KAFKA_BROKERS || `127.0.0.1:${process.env.BATON_KAFKA_PORT || 9092}`;
const runId = `${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
const topic = `baton-smoke-${runId}`;
const groupId = `baton-smoke-${runId}`;
const PARTITIONS = 3;
const TIMEOUT_MS = Number(process.env.BATON_KAFKA_SMOKE_TIMEOUT_MS || 60000);

const kafka = new Kafka({
  clientId: 'baton-kafka-smoke',
  brokers: bootstrap.split(','),
  logLevel: logLevel.WARN,
  connectionTimeout: 3000,
  retry: { retries: 5 },
});
const admin = kafka.admin();
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });

function fail(message) {
  throw new Error(message);
}

async function main() {
  const t0 = Date.now();
  await admin.connect();
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  if (!created) fail(`topic ${topic} already existed`);
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitionCount = meta.topics[0].partitions.length;
  if (partitionCount !== PARTITIONS) fail(`expected ${PARTITIONS} partitions, broker reports ${partitionCount}`);

  const sent = Array.from({ length: PARTITIONS }, (_, i) => ({
    partition: i,
    key: `key-${i}`,
    value: JSON.stringify({ i, runId }),
    headers: { 'x-baton-run': runId, 'x-index': String(i) },
  }));
  await producer.connect();
  const acks = await producer.send({ topic, acks: -1, messages: sent });
  if (acks.length !== PARTITIONS || acks.some((a) => a.errorCode !== 0)) fail(`bad produce acks: ${JSON.stringify(acks)}`);

  const received = new Map();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`consumed ${received.size}/${PARTITIONS} messages within ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
    consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          received.set(partition, message);
          if (received.size === PARTITIONS) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });

  for (const m of sent) {
    const got = received.get(m.partition);
    if (!got) fail(`nothing consumed from partition ${m.partition}`);
    const key = got.key?.toString();
    const value = got.value?.toString();
    const run = got.headers?.['x-baton-run']?.toString();
    const index = got.headers?.['x-index']?.toString();
    if (key !== m.key) fail(`partition ${m.partition}: key ${key} != ${m.key}`);
    if (value !== m.value) fail(`partition ${m.partition}: value ${value} != ${m.value}`);
    if (run !== runId || index !== String(m.partition))
      fail(`partition ${m.partition}: headers ${JSON.stringify({ run, index })} do not match`);
  }

  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  console.log(
    `kafka smoke: ok (${bootstrap}: topic with ${PARTITIONS} partitions, ${PARTITIONS} keyed messages with headers ` +
      `produced and consumed, ${Date.now() - t0} ms)`,
  );
}

const guard = setTimeout(() => {
  console.error(`kafka smoke: FAILED (${bootstrap}): no result within ${TIMEOUT_MS * 2} ms`);
  process.exit(1);
}, TIMEOUT_MS * 2);
guard.unref();

try {
  await main();
  process.exit(0);
} catch (err) {
  console.error(`kafka smoke: FAILED (${bootstrap}): ${err?.stack || err}`);
  await Promise.allSettled([consumer.disconnect(), producer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.disconnect().catch(() => {});
  process.exit(1);
}
