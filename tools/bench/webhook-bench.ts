// `npm run bench -- --mode webhook --rate 1000 --duration 20`: webhook intake under load while the
// pipeline behind it stands still. The embedded engine (as `npm start` runs it, on disk) listens
// on loopback; signed Standard Webhooks requests, each with a fresh webhook-id, are sent at a fixed
// rate (open loop: a request is due at its slot whether or not earlier ones were answered) while
// every consumer group is paused. The sender is a worker thread (webhook-sender.ts): an outside
// client, not a guest on the engine's event loop. Printed: the acknowledgement latency from each request's slot
// (p50, p99, max), how many were accepted, and — once the consumers are resumed — how many of the
// accepted ones became completed runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Topics } from '@baton/contracts';
import { createSampleSystems } from '@baton/connectors';
import { MessageBus } from '@baton/platform-messaging';
/* eslint-disable @nx/enforce-module-boundaries -- the bench composes the embedded app as `npm start`
   does; tools may import anything, and no project depends on tools. */
import { createStandaloneApp } from '../../apps/standalone/src/standalone.bootstrap';
/* eslint-enable @nx/enforce-module-boundaries */
import type { SenderOptions, SenderReport } from './webhook-sender';

const SOURCE = 'refund-form';
/** A bench-only secret for a bench-only sources file (whsec_ + base64). */
const SECRET = `whsec_${Buffer.from('baton-bench-webhook-secret').toString('base64')}`;

export interface WebhookBenchOptions {
  rate: number;
  /** Seconds at the rate before the measured ones (a process just started is still compiling its code). */
  warmupS: number;
  durationS: number;
  timeoutS: number;
  workspaceRoot: string;
}

export async function runWebhookBench(options: WebhookBenchOptions): Promise<{ line: string; ok: boolean }> {
  const dir = mkdtempSync(join(tmpdir(), 'baton-webhook-bench-'));
  // The sample sources limit a source to 50/s; the bench's own allows the offered rate.
  const sourcesFile = join(dir, 'webhook-sources.yaml');
  writeFileSync(
    sourcesFile,
    [
      'dedupeDays: 7',
      'defaults:',
      '  toleranceSeconds: 300',
      '  maxBodyBytes: 262144',
      `  rateLimit: { perSecond: ${Math.max(options.rate * 2, 100)}, burst: ${Math.max(options.rate * 2, 100)} }`,
      'sources:',
      `  ${SOURCE}:`,
      // The body names the organisation; the source may start runs for this one.
      '    orgIds: [acme]',
      '    secrets:',
      `      - ${SECRET}`,
      '',
    ].join('\n'),
  );
  const app = await createStandaloneApp({
    database: { kind: 'pglite', dataDir: join(dir, 'pglite') },
    workflowsDir: resolve(options.workspaceRoot, 'workflows'),
    systems: createSampleSystems(),
    schedules: false,
    webhooks: { sourcesFile },
  });
  const bus = app.get(MessageBus);
  let completed = 0;
  bus.subscribe({
    groupId: 'bench-watcher',
    topics: [Topics.runCompleted],
    handle: async () => {
      completed++;
      return 'processed';
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.getHttpServer().address() as { port: number }).port;
  try {
    // Everything downstream of intake stands still while the webhooks arrive.
    const groups = bus
      .subscriptions()
      .map((s) => s.groupId)
      .filter((g) => g !== 'bench-watcher');
    for (const group of groups) bus.pause(group);

    const total = Math.round(options.rate * (options.warmupS + options.durationS));
    const {
      acks,
      warmupAcks,
      accepted,
      refused,
      failures: failed,
      sendS,
    } = await sendFromWorker({
      port,
      rate: options.rate,
      warmupS: options.warmupS,
      durationS: options.durationS,
      source: SOURCE,
      secret: SECRET,
    });
    const failures = new Map(failed);

    for (const group of groups) bus.resume(group);
    const resumed = performance.now();
    const deadline = resumed + options.timeoutS * 1000;
    while (completed < accepted && performance.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const drainS = (performance.now() - resumed) / 1000;

    acks.sort((a, b) => a - b);
    warmupAcks.sort((a, b) => a - b);
    const pctOf = (sorted: number[], p: number) =>
      sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
    const pct = (p: number) => pctOf(acks, p);
    const line =
      `mode=webhook rate=${options.rate}/s duration=${options.durationS}s sent=${total} in ${sendS.toFixed(1)}s ` +
      `accepted=${accepted} refused=${refused}` +
      `${failures.size ? ` (${[...failures].map(([k, n]) => `${k}: ${n}`).join(', ')})` : ''}` +
      ` ack_p50=${pct(50).toFixed(1)}ms ack_p99=${pct(99).toFixed(1)}ms ack_max=${pct(100).toFixed(1)}ms` +
      (options.warmupS > 0
        ? ` (after ${options.warmupS}s of warm-up at the rate: its ack_p99=${pctOf(warmupAcks, 99).toFixed(1)}ms)`
        : '') +
      ` completed_after_resume=${completed} in ${drainS.toFixed(1)}s lost=${accepted - Math.min(completed, accepted)}\n`;
    return { line, ok: completed >= accepted && refused === 0 };
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the sender (webhook-sender.ts) in a worker thread and resolves with its report. */
function sendFromWorker(options: SenderOptions): Promise<SenderReport> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(join(__dirname, 'webhook-sender.js'), { workerData: options });
    worker.once('message', (m: { ok: boolean; report?: SenderReport; message?: string }) => {
      void worker.terminate();
      if (m.ok) resolve(m.report!);
      else reject(new Error(`webhook sender: ${m.message}`));
    });
    worker.once('error', reject);
  });
}
