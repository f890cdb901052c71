import { request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { as, type StandaloneHarness } from './standalone.harness';
import { dispatcher, newSecret, signed, startWithWebhooks } from './webhook.harness';

const BURST = 2000;
const ACK_TIMEOUT_MS = 30_000;

/**
 * One POST over a fresh connection, answered within ACK_TIMEOUT_MS from the first byte sent. Not
 * fetch: its client gives up connecting after 10 s, which on a loaded 2-core machine measures the
 * accept queue of 2,000 simultaneous connections rather than the acknowledgement.
 */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent: false, timeout: ACK_TIMEOUT_MS },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (error) {
            reject(error);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ACK_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

describe('webhook burst', () => {
  const secret = newSecret();
  let sut: StandaloneHarness;
  let baseUrl: string;

  beforeAll(async () => {
    sut = await startWithWebhooks({
      sources: { 'refund-form': { orgIds: ['acme'], secrets: [secret], rateLimit: { perSecond: 1000, burst: BURST } } },
    });
    // Real HTTP on a port, so acknowledgement latency includes the socket, parsing and the reply.
    await sut.app.listen(0, '127.0.0.1');
    const { port } = sut.app.getHttpServer().address() as AddressInfo;
    baseUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => sut.close());

  it('acknowledges 2,000 webhooks sent at once while downstream stages are stalled, then completes each exactly once', async () => {
    // Every downstream consumer (enrichment, decisioning, action, verification) stops; ingestion
    // keeps accepting, storing and dispatching, and the run.triggered events wait on the bus.
    await sut.bus.stop();

    const requests = Array.from({ length: BURST }, (_, i) =>
      signed({
        id: `msg_burst_${i}`,
        secret,
        body: { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 1 + (i % 400), reason: `burst ${i}` } },
      }),
    );
    const started = Date.now();
    const acks = await Promise.all(
      requests.map(async ({ headers, body }) => {
        const t0 = performance.now();
        try {
          const { status, json } = await post(`${baseUrl}/webhooks/refund-form`, headers, body);
          return { status, json, ms: performance.now() - t0 };
        } catch (error) {
          return { status: 0, json: { error: String(error) }, ms: performance.now() - t0 };
        }
      }),
    );
    const burstMs = Date.now() - started;

    const latencies = acks.map((a) => a.ms).sort((a, b) => a - b);
    console.log(
      `webhook burst: ${BURST} webhooks acknowledged in ${burstMs} ms, ack latency p50=${percentile(latencies, 50).toFixed(1)} ms ` +
        `p99=${percentile(latencies, 99).toFixed(1)} ms max=${latencies.at(-1)!.toFixed(1)} ms ` +
        `(${cpus().length} CPUs, load average ${loadavg()[0].toFixed(2)}, downstream stalled)`,
    );
    expect(acks.filter((a) => a.status !== 202)).toEqual([]);
    expect(acks.filter((a) => (a.json as { duplicate?: boolean }).duplicate !== false)).toEqual([]);

    // All of them are durable before the stall ends.
    const whileStalled = (await sut.http('GET', '/webhooks/sources', undefined, as.operator)).body.sources.find(
      (s: any) => s.name === 'refund-form',
    );
    expect(whileStalled.queue.pending + whileStalled.queue.processed).toBe(BURST);
    expect(whileStalled.sinceStart).toMatchObject({ accepted: BURST, duplicates: 0, rejected: 0 });

    // The stall ends.
    await sut.bus.start();
    await dispatcher(sut).drain();
    const runIds: string[] = [];
    for (const { headers } of requests) {
      const entry = await sut.http('GET', `/webhooks/sources/refund-form/inbox/${headers['webhook-id']}`, undefined, as.operator);
      expect(entry.body).toMatchObject({ status: 'processed', runIds: [expect.any(String)] });
      runIds.push(entry.body.runIds[0]);
    }
    expect(new Set(runIds).size).toBe(BURST);
    const settled = await Promise.all(runIds.map((runId) => sut.settled(runId)));
    expect(settled.filter((e: any) => e.data?.status !== 'completed')).toEqual([]);

    // Exactly one run started per webhook: none lost, none twice.
    const [{ started: triggered }] = await sut.app.get(DataSource).query(
      `SELECT count(*)::int AS started FROM baton.run_transition
          WHERE to_state = 'triggered' AND detail->'source'->>'kind' = 'webhook' AND detail->'source'->>'dedupeKey' LIKE '%:msg_burst_%'`,
    );
    expect(triggered).toBe(BURST);
    console.log(`webhook burst: all ${BURST} runs completed ${Date.now() - started} ms after the first request`);
  }, 600_000);
});
