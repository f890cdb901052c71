// Used by kafka.sh start: waits until the broker answers the Kafka protocol
// (Metadata / DescribeCluster and FindCoordinator for a consumer group), not just TCP.
// usage: node wait-ready.mjs <bootstrap host:port> <timeout seconds> [broker pid]
// exit 0 ready, 1 timed out, 2 broker process died, 3 kafkajs not resolvable.
import './kafkajs-quiet.mjs';

const [bootstrap = '127.0.0.1:9092', timeoutArg = '90', pidArg] = process.argv.slice(2);
const deadline = Date.now() + Number(timeoutArg) * 1000;
const pid = pidArg ? Number(pidArg) : undefined;

let kafkajs;
try {
  kafkajs = (await import('kafkajs')).default;
} catch (err) {
  console.error(`wait-ready: cannot load kafkajs (${err.message})`);
  process.exit(3);
}
const { Kafka, logLevel } = kafkajs;

const alive = () => {
  if (!pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let lastError = 'no attempt made';
while (Date.now() < deadline) {
  if (!alive()) {
    console.error(`wait-ready: broker process ${pid} exited`);
    process.exit(2);
  }
  const kafka = new Kafka({
    clientId: 'baton-kafka-wait-ready',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin({ retry: { retries: 0 } });
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.listTopics();
    // FindCoordinator makes the broker create __consumer_offsets now, so the
    // first consumer group of a test does not wait for it.
    await admin.describeGroups(['baton-kafka-wait-ready']);
    console.log(
      `wait-ready: ok (cluster ${cluster.clusterId}, controller ${cluster.controller}, ` + `${cluster.brokers.length} broker(s))`,
    );
    await admin.disconnect().catch(() => {});
    process.exit(0);
  } catch (err) {
    lastError = err && err.message ? err.message : String(err);
    await admin.disconnect().catch(() => {});
  }
  await sleep(500);
}
console.error(`wait-ready: timed out after ${timeoutArg}s; last error: ${lastError}`);
process.exit(1);
