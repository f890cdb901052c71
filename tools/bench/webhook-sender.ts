// The webhook bench's load generator, in a worker thread of its own: like an outside client (wrk
// for the peer's bench), it does not share the engine's event loop, and its node:http is not the
// traced one the engine's thread loads. It sends signed Standard Webhooks requests, each with a
// fresh webhook-id, at a fixed rate (open loop: a request is due at its slot whether or not earlier
// ones were answered), and reports each acknowledgement's latency from its slot.
import { createHmac, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface SenderOptions {
  port: number;
  rate: number;
  /** Seconds sent at the rate before the measured ones: their acknowledgements are reported apart. */
  warmupS: number;
  durationS: number;
  source: string;
  secret: string;
}

export interface SenderReport {
  /** Acknowledgement latencies of the measured requests (after the warm-up). */
  acks: number[];
  warmupAcks: number[];
  accepted: number;
  refused: number;
  failures: Array<[string, number]>;
  sendS: number;
}

async function sendAll(options: SenderOptions): Promise<SenderReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const key = Buffer.from(options.secret.slice('whsec_'.length), 'base64');
  const total = Math.round(options.rate * (options.warmupS + options.durationS));
  const warm = Math.round(options.rate * options.warmupS);
  const acks: number[] = [];
  const warmupAcks: number[] = [];
  let accepted = 0;
  let refused = 0;
  const failures = new Map<string, number>();
  const begin = performance.now();
  const inFlight: Array<Promise<void>> = [];
  try {
    for (let i = 0; i < total; i++) {
      const due = begin + (i * 1000) / options.rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(
        send(options, agent, key, i).then(
          (status) => {
            (i < warm ? warmupAcks : acks).push(performance.now() - due);
            if (status === 202) accepted++;
            else {
              refused++;
              failures.set(String(status), (failures.get(String(status)) ?? 0) + 1);
            }
          },
          (error: Error) => {
            refused++;
            failures.set(error.message, (failures.get(error.message) ?? 0) + 1);
          },
        ),
      );
    }
    await Promise.all(inFlight);
    return { acks, warmupAcks, accepted, refused, failures: [...failures], sendS: (performance.now() - begin) / 1000 };
  } finally {
    agent.destroy();
  }
}

function send(options: SenderOptions, agent: Agent, key: Buffer, i: number): Promise<number> {
  const id = `msg_bench_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    orgId: 'acme',
    payload: { customerId: 'cus_northwind', amount: 10 + (i % 400), reason: `webhook bench ${i}` },
  });
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        method: 'POST',
        path: `/webhooks/${options.source}`,
        agent,
        timeout: 30_000,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': `v1,${signature}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (error) => reject(new Error((error as NodeJS.ErrnoException).code ?? error.message)));
    req.end(body);
  });
}

if (parentPort) {
  const port = parentPort;
  void sendAll(workerData as SenderOptions).then(
    (report) => port.postMessage({ ok: true, report }),
    (error: Error) => port.postMessage({ ok: false, message: error.message }),
  );
}
