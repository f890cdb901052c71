// The Kafka client comparison issue 11 asked for before any switch: CPU per message of kafkajs
// (what the bus uses) against @platformatic/kafka, on the broker tools/kafka/kafka.sh starts.
// Each client, in a process of its own, produces N messages shaped like Baton's events (about
// 900 bytes, a run-id key, three headers) in sends of 30 with 4 in flight (idempotent, acks=all),
// then consumes them in a group from the start, committing every 30, as the stages do.
//
//   npm i --no-save @platformatic/kafka@2.12.1     (not a dependency: measured, not adopted)
//   node tools/bench/kafka-clients.mjs kafkajs 40000
//   node tools/bench/kafka-clients.mjs platformatic 40000
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
const mode = process.argv[2];
if (mode !== 'kafkajs' && mode !== 'platformatic') {
  console.error('usage: node tools/bench/kafka-clients.mjs kafkajs|platformatic [messages]');
  process.exit(2);
}
const { Producer, Consumer } =
  mode === 'platformatic'
    ? await import('@platformatic/kafka').catch(() => {
        console.error('@platformatic/kafka is not installed: npm i --no-save @platformatic/kafka@2.12.1');
        process.exit(2);
      })
    : {};
const N = Number(process.argv[3] ?? 30000);
const BATCH = 30,
  INFLIGHT = 4;
const brokers = ['127.0.0.1:9092'];
const topic = `pkbench.${mode}.${randomUUID().slice(0, 8)}`;
const kafka = new Kafka({ clientId: 'pkbench-admin', brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
await admin.disconnect();
const body = JSON.stringify({ specversion: '1.0', type: 'baton.run.enriched', data: { text: 'x'.repeat(800) } });
const msgs = Array.from({ length: N }, () => ({
  key: randomUUID(),
  value: body,
  headers: { traceparent: '00-' + 'a'.repeat(32) + '-' + 'b'.repeat(16) + '-01', ce_type: 'baton.run.enriched', 'baton-attempt': '1' },
}));
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function produceAll(send) {
  const t0 = performance.now(),
    c0 = cpu();
  let next = 0;
  const worker = async () => {
    while (next < N) {
      const s = next;
      next += BATCH;
      await send(msgs.slice(s, s + BATCH));
    }
  };
  await Promise.all(Array.from({ length: INFLIGHT }, worker));
  return { ms: performance.now() - t0, cpu: cpu() - c0 };
}

let produce, consume;
if (mode === 'kafkajs') {
  const k = new Kafka({ clientId: 'pkbench', brokers, logLevel: logLevel.NOTHING });
  const producer = k.producer({ idempotent: true, maxInFlightRequests: 5 });
  await producer.connect();
  produce = await produceAll((batch) =>
    producer.send({ topic, acks: -1, messages: batch.map((m) => ({ key: m.key, value: Buffer.from(m.value), headers: m.headers })) }),
  );
  await producer.disconnect();
  const consumer = k.consumer({ groupId: topic + '.g', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0,
    t0,
    c0,
    done;
  const finished = new Promise((r) => (done = r));
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary, heartbeat }) => {
      if (t0 === undefined) {
        t0 = performance.now();
        c0 = cpu();
      }
      for (let s = 0; s < batch.messages.length; s += BATCH) {
        const chunk = batch.messages.slice(s, s + BATCH);
        for (const m of chunk) {
          JSON.parse(m.value.toString());
          m.headers.traceparent?.toString();
        }
        const last = chunk[chunk.length - 1];
        resolveOffset(last.offset);
        await commitOffsetsIfNecessary({
          topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() }] }],
        });
        await heartbeat();
        seen += chunk.length;
        if (seen >= N) done();
      }
    },
  });
  await finished;
  consume = { ms: performance.now() - t0, cpu: cpu() - c0 };
  await consumer.disconnect();
} else {
  const producer = new Producer({ clientId: 'pkbench', bootstrapBrokers: brokers, idempotent: true, acks: -1 });
  produce = await produceAll((batch) =>
    producer.send({
      messages: batch.map((m) => ({
        topic,
        key: Buffer.from(m.key),
        value: Buffer.from(m.value),
        headers: new Map(Object.entries(m.headers).map(([a, b]) => [Buffer.from(a), Buffer.from(b)])),
      })),
    }),
  );
  await producer.close();
  const consumer = new Consumer({ groupId: topic + '.g', clientId: 'pkbench', bootstrapBrokers: brokers, maxWaitTime: 100 });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
  let seen = 0,
    t0,
    c0,
    done;
  const finished = new Promise((r) => (done = r));
  const pending = new Map();
  let since = 0;
  stream.on('data', (m) => {
    if (t0 === undefined) {
      t0 = performance.now();
      c0 = cpu();
    }
    JSON.parse(m.value.toString());
    for (const [k, v] of m.headers) if (k.toString() === 'traceparent') v.toString();
    pending.set(m.partition, { topic: m.topic, partition: m.partition, offset: m.offset, leaderEpoch: m.leaderEpoch });
    seen++;
    since++;
    if (since >= BATCH || seen >= N) {
      since = 0;
      const offsets = [...pending.values()];
      pending.clear();
      consumer.commit({ offsets }).then(
        () => {
          if (seen >= N) done();
        },
        (e) => console.error('commit', e.message),
      );
    }
  });
  await finished;
  consume = { ms: performance.now() - t0, cpu: cpu() - c0 };
  await stream.close();
  await consumer.close();
}
const per = (x) => {
  const perMessage = ((x.cpu * 1000) / N).toFixed(1);
  return `${x.ms.toFixed(0)} ms wall, ${x.cpu.toFixed(0)} ms CPU, ${perMessage} µs CPU/msg, ${((N / x.ms) * 1000).toFixed(0)} msg/s`;
};
console.log(`${mode.padEnd(12)} produce ${per(produce)} | consume ${per(consume)}`);
process.exit(0);
