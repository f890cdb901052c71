// `npm run bench`: drives runs of a sample workflow through the pipeline and prints one line:
// mode, runs, runs/s, p50 and p99 trigger-to-completed latency, lost and duplicated runs.
//
//   npm run bench -- --runs 2000 --concurrency 50 --workflow refund-request
//
// Embedded mode (the default) is the standalone app as `npm start` runs it, on an in-memory
// PGlite; triggers go through the admin API's HTTP handler (in-process injection, so the figure
// is the engine's, not the loopback network's). A run counts once its run.completed event is
// seen; "lost" are accepted runs never completed, "duplicated" are runs completed twice or
// whose action took effect more than once at the sample systems.
import { Topics } from '@baton/contracts';
import { createSampleSystems } from '@baton/connectors';
import { MessageBus } from '@baton/platform-messaging';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createStandaloneApp } from '../../apps/standalone/src/standalone.bootstrap';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '50' },
    workflow: { type: 'string', default: 'refund-request' },
    mode: { type: 'string', default: 'embedded' },
    timeout: { type: 'string', default: '120' },
  },
});

const runs = Number(values.runs);
const concurrency = Number(values.concurrency);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
  process.stderr.write('bench: --runs and --concurrency must be positive integers\n');
  process.exit(2);
}
if (values.mode !== 'embedded') {
  process.stderr.write(`bench: mode ${values.mode} is not available yet (embedded only)\n`);
  process.exit(2);
}

const payloads: Record<string, (i: number) => Record<string, unknown>> = {
  'refund-request': (i) => ({ customerId: 'cus_northwind', amount: 10 + (i % 400), reason: `bench ${i}` }),
  'support-ticket-routing': (i) => ({ customerId: 'cus_umbrella', subject: `bench ${i}`, body: 'load' }),
  'lead-routing': (i) => ({ company: `Bench ${i}`, employees: 5000, inquiry: 'enterprise', email: `b${i}@bench.example`, region: 'east' }),
};
const effectOf: Record<string, [system: 'billing' | 'tickets' | 'crm', operation: string]> = {
  'refund-request': ['billing', 'issueRefund'],
  'support-ticket-routing': ['tickets', 'createTicket'],
  'lead-routing': ['crm', 'createLead'],
};

async function main(): Promise<void> {
  const payload = payloads[values.workflow];
  if (!payload) throw new Error(`no bench payload for workflow ${values.workflow}; choose ${Object.keys(payloads).join(', ')}`);
  const systems = createSampleSystems();
  const app = await createStandaloneApp({
    database: { kind: 'pglite' },
    workflowsDir: resolve(__dirname, '../../../workflows'),
    systems,
    schedules: false,
  });
  const http = app.getHttpAdapter().getInstance();
  const started = new Map<string, number>();
  const latencies: number[] = [];
  const completions = new Map<string, number>();
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((r) => (allDone = r));
  let accepted = 0;
  let triggersFinished = false;

  app.get(MessageBus).subscribe({
    groupId: 'bench-watcher',
    topics: [Topics.runCompleted],
    handle: async (message) => {
      const event = JSON.parse(message.value.toString()) as { runid: string; data: { status: string } };
      const n = (completions.get(event.runid) ?? 0) + 1;
      completions.set(event.runid, n);
      const t0 = started.get(event.runid);
      if (n === 1 && t0 !== undefined) latencies.push(performance.now() - t0);
      if (triggersFinished && completions.size >= accepted) allDone();
      return 'processed';
    },
  });

  const begin = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < runs) {
      const i = next++;
      const t0 = performance.now();
      const response = await http.inject({
        method: 'POST',
        url: `/workflows/${values.workflow}/runs`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ orgId: 'acme', payload: payload(i) }),
      });
      if (response.statusCode !== 202) throw new Error(`trigger ${i} refused: ${response.statusCode} ${response.body}`);
      const runId = (JSON.parse(response.body) as { runId: string }).runId;
      started.set(runId, t0);
      accepted++;
      // A completion can arrive before the response is parsed; count its latency from here.
      if (completions.has(runId) && latencies.length < completions.size) latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs) }, worker));
  triggersFinished = true;
  if (completions.size >= accepted) allDone();
  const timeout = new Promise<void>((r) => setTimeout(r, Number(values.timeout) * 1000).unref());
  await Promise.race([done, timeout]);
  const elapsed = (performance.now() - begin) / 1000;

  const completed = [...started.keys()].filter((id) => completions.has(id)).length;
  const repeated = [...completions.values()].filter((n) => n > 1).length;
  const [system, operation] = effectOf[values.workflow]!;
  const effects = systems[system].effects()[operation] ?? 0;
  const lost = accepted - completed;
  const duplicated = repeated + Math.max(0, effects - completed);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! : NaN);
  process.stdout.write(
    `mode=${values.mode} workflow=${values.workflow} runs=${accepted} concurrency=${concurrency} runs/s=${(completed / elapsed).toFixed(1)} ` +
      `p50=${pct(50).toFixed(1)}ms p99=${pct(99).toFixed(1)}ms lost=${lost} duplicated=${duplicated}\n`,
  );
  await app.close();
  process.exit(lost === 0 && duplicated === 0 ? 0 : 1);
}

main().catch((error: Error) => {
  process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
