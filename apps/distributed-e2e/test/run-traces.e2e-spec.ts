import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ingressTopic } from '@baton/contracts';
import { Webhook } from 'standardwebhooks';
import { DistributedHarness, refundPayload, ROOT, STAGE_SERVICES, type ClusterProcess } from './cluster.harness';
import { JAEGER_OTLP_URL, JaegerQuery, shape, type TraceSpan } from './jaeger.harness';

// The public demo secret of the refund-form source (config/webhook-sources.example.yaml).
const WEBHOOK_SOURCES = join(ROOT, 'config/webhook-sources.example.yaml');
const REFUND_FORM_SECRET = 'whsec_YmF0b24tZXhhbXBsZS1yZWZ1bmQtZm9ybS1ub3QtYS1zZWNyZXQ=';
const OPERATOR = { authorization: 'Bearer demo-operator-key' };
const FINANCE_LEAD = { authorization: 'Bearer demo-finance-lead-key' };

/** What every refund-request run's trace holds, whatever started it: `service span` pairs. */
const REFUND_TRACE = [
  'ingestion run.start',
  'enrichment baton.run.triggered process',
  'enrichment crm.getCustomer',
  'enrichment billing.getAccount',
  'decisioning baton.run.enriched process',
  'action baton.run.decided process',
  'action billing.issueRefund',
  'action notifications.send',
  'verification baton.action.executed process',
  'verification billing.getRefund',
  'verification notifications.getMessage',
  // The calls as the systems of record served them, in their own process.
  'sample-systems crm.getCustomer',
  'sample-systems billing.issueRefund',
  'sample-systems billing.getRefund',
];

describe('distributed deployment: one trace per run in Jaeger', () => {
  let sut: DistributedHarness;
  let jaeger: JaegerQuery;

  beforeAll(async () => {
    jaeger = await JaegerQuery.connect();
    // Debug logs: each stage's line about a message (its start and end) is debug, and every line
    // about the run must carry its trace id.
    sut = await DistributedHarness.start('traces', {
      otlpEndpoint: JAEGER_OTLP_URL,
      webhookSourcesFile: WEBHOOK_SOURCES,
      logLevel: 'debug',
    });
  }, 180_000);
  afterAll(async () => sut?.close(), 60_000);

  /** Waits until Jaeger holds the run's whole trace; asserts the run made exactly one. */
  async function traceOfRun(runId: string, expected: readonly string[]): Promise<TraceSpan[]> {
    let seen: string[] = [];
    return sut.cluster.waitFor(
      `the trace of run ${runId} in Jaeger`,
      async () => {
        // Every span tagged with the run, in every stage process, is in one trace.
        const ids = new Set(
          (await Promise.all(STAGE_SERVICES.map((service) => jaeger.traceIds(service, { 'baton.run_id': runId })))).flat(),
        );
        if (ids.size > 1) throw new Error(`run ${runId} is spread over ${ids.size} traces: ${[...ids].join(', ')}`);
        if (ids.size === 0) return undefined;
        const spans = await jaeger.trace([...ids][0]!);
        seen = shape(spans);
        return expected.every((s) => seen.includes(s)) &&
          STAGE_SERVICES.every((service) => spans.some((s) => s.service === service && isDatabaseSpan(s)))
          ? spans
          : undefined;
      },
      {
        timeoutMs: 30_000,
        intervalMs: 500,
        progress: () => `missing: ${expected.filter((s) => !seen.includes(s)).join(', ') || 'database spans'}`,
      },
    );
  }

  function assertOneRunTrace(spans: TraceSpan[], runId: string, trigger: 'api' | 'webhook' | 'event'): void {
    const traceId = spans[0]!.traceId;
    // Its root is the run's start in the ingestion process, carrying what the run is.
    const roots = spans.filter((s) => s.parentId === undefined);
    expect(roots.map((s) => `${s.service} ${s.name}`)).toEqual(['ingestion run.start']);
    expect(roots[0]!.tags).toMatchObject({
      'baton.run_id': runId,
      'baton.workflow_id': 'refund-request',
      'baton.org_id': 'acme',
      'baton.trigger.kind': trigger,
    });
    // Each stage's span names the run, its workflow and organisation; from the decision on, its tier.
    for (const [service, name] of [
      ['enrichment', 'baton.run.triggered process'],
      ['decisioning', 'baton.run.enriched process'],
      ['action', 'baton.run.decided process'],
      ['verification', 'baton.action.executed process'],
    ] as const) {
      const stage = spans.find((s) => s.service === service && s.name === name);
      expect({ service, tags: stage?.tags }).toMatchObject({
        service,
        tags: { 'baton.run_id': runId, 'baton.workflow_id': 'refund-request', 'baton.org_id': 'acme' },
      });
    }
    expect(spans.find((s) => s.service === 'decisioning' && s.name === 'baton.run.enriched process')?.tags['baton.tier']).toEqual(
      expect.any(String),
    );
    expect(spans.find((s) => s.service === 'action' && s.name === 'baton.run.decided process')?.tags['baton.tier']).toEqual(
      expect.any(String),
    );
    // Connector calls are client spans saying what they were for.
    const purposeOf = (service: string, name: string) =>
      spans.find((s) => s.service === service && s.name === name)?.tags['baton.connector.purpose'];
    expect([
      purposeOf('enrichment', 'crm.getCustomer'),
      purposeOf('action', 'billing.issueRefund'),
      purposeOf('verification', 'billing.getRefund'),
    ]).toEqual(['read', 'action', 'read']);
    // The database work of every stage is in the trace, as pg spans.
    for (const service of STAGE_SERVICES) {
      expect({ service, queries: spans.filter((s) => s.service === service && isDatabaseSpan(s)).length > 0 }).toEqual({
        service,
        queries: true,
      });
    }
    // One trace: every span belongs to it, and every parent is in it.
    const ids = new Set(spans.map((s) => s.spanId));
    expect(
      spans.filter((s) => s.traceId !== traceId || (s.parentId !== undefined && !ids.has(s.parentId))).map((s) => `${s.service} ${s.name}`),
    ).toEqual([]);
  }

  /** Log lines of a process that name the run. */
  function logLines(process: ClusterProcess, runId: string): Array<Record<string, unknown>> {
    return readFileSync(sut.cluster.logFile(process), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes(runId))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it(
    'gives each run one trace, started through the API, a signed webhook or kcat, ' + 'with every stage, connector call and query in it',
    async () => {
      const reasons = { api: `api ${randomUUID()}`, webhook: `webhook ${randomUUID()}`, event: `kcat ${randomUUID()}` };

      // One run at a time: runs whose writes commit at the same moment share one group commit,
      // whose transaction is a trace of its own linked to theirs (docs/design-notes.md), so the
      // queries of a run that shared one are not in its trace. Each run starts once the one
      // before has completed.
      const apiRun = await sut.startRun(refundPayload(reasons.api, 41));
      await sut.waitForRun(apiRun);

      const body = JSON.stringify({ orgId: 'acme', payload: refundPayload(reasons.webhook, 42) });
      const webhookId = `msg_${randomUUID()}`;
      const at = new Date();
      const signature = new Webhook(REFUND_FORM_SECRET).sign(webhookId, at, body);
      const accepted = await fetch(`${sut.cluster.url('ingestion')}/webhooks/refund-form`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': webhookId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body,
      });
      expect(accepted.status).toBe(202);
      const webhookRun = await sut.waitForRunWithReason(reasons.webhook);
      await sut.waitForRun(webhookRun);

      sut.produce(
        sut.topic(ingressTopic('refund-form')),
        'order-1',
        JSON.stringify({ orgId: 'acme', payload: refundPayload(reasons.event, 43) }),
      );

      const runs = {
        api: apiRun,
        webhook: webhookRun,
        event: await sut.waitForRunWithReason(reasons.event),
      };
      for (const runId of Object.values(runs)) await sut.waitForRun(runId);

      const traces: Record<string, string> = {};
      for (const [trigger, runId] of Object.entries(runs) as Array<[keyof typeof runs, string]>) {
        const spans = await traceOfRun(runId, REFUND_TRACE);
        assertOneRunTrace(spans, runId, trigger);
        traces[trigger] = spans[0]!.traceId;

        // What started the run has a trace of its own (a webhook request or a scan may start
        // several runs), linked from the run's first span.
        const start = spans.find((s) => s.name === 'run.start')!;
        expect(start.links).toHaveLength(1);
        expect(start.links[0]!.traceId).not.toBe(traces[trigger]);
        const intake = await jaeger.trace(start.links[0]!.traceId);
        const linked = intake.find((s) => s.spanId === start.links[0]!.spanId);
        expect(linked?.service).toBe('ingestion');
        if (trigger === 'api') expect(intake.some((s) => s.tags['http.method'] === 'POST' && s.tags['span.kind'] === 'server')).toBe(true);
        // The webhook's request, then its dispatch from the inbox, which started the run.
        if (trigger === 'webhook')
          expect([linked?.name, intake.some((s) => s.tags['http.method'] === 'POST' && s.tags['span.kind'] === 'server')]).toEqual([
            'webhook.dispatch',
            true,
          ]);
        if (trigger === 'event') expect(linked?.name).toBe('baton.ingress.refund-form process');

        // Every log line of the stages about the run carries its trace id; at intake, the trigger's or the run's.
        for (const service of ['enrichment', 'decisioning', 'action', 'verification'] as const) {
          const lines = logLines(service, runId);
          expect({ service, lines: lines.length > 0 }).toEqual({ service, lines: true });
          expect({ service, traceIds: [...new Set(lines.map((l) => l.traceId))] }).toEqual({ service, traceIds: [traces[trigger]] });
        }
        expect(logLines('ingestion', runId).every((l) => typeof l.traceId === 'string')).toBe(true);

        // So does every audit entry of the run.
        const audit = await sut.http<{ entries: Array<{ action: string; traceId: string | null }> }>(
          'action',
          'GET',
          `/audit?runId=${runId}`,
          undefined,
          OPERATOR,
        );
        expect(audit.status).toBe(200);
        expect(audit.body.entries.length).toBeGreaterThan(3);
        expect(audit.body.entries.filter((e) => e.traceId !== traces[trigger]).map((e) => e.action)).toEqual([]);
      }
      expect(new Set(Object.values(traces)).size).toBe(3);
    },
    150_000,
  );

  it('continues a run’s trace when a person decides its review, linked to the request that decided it', async () => {
    const reason = `review ${randomUUID()}`;
    // Over the organisation's limit (500): a person decides.
    const runId = await sut.startRun(refundPayload(reason, 900));
    await sut.waitForRun(runId, { state: 'awaiting_review' });
    const reviews = await sut.http<{ reviews: Array<{ id: string; runId: string }> }>(
      'decisioning',
      'GET',
      '/reviews/mine',
      undefined,
      FINANCE_LEAD,
    );
    const review = reviews.body.reviews.find((r) => r.runId === runId)!;
    const decided = await sut.http(
      'decisioning',
      'POST',
      `/reviews/${review.id}/decision`,
      { verdict: 'approve', rationale: 'Long-standing customer' },
      FINANCE_LEAD,
    );
    expect(decided.status).toBe(200);
    await sut.waitForRun(runId);

    const spans = await traceOfRun(runId, [...REFUND_TRACE, 'decisioning review.decide']);
    assertOneRunTrace(spans, runId, 'api');
    const decision = spans.find((s) => s.name === 'review.decide')!;
    expect(decision.tags).toMatchObject({
      'baton.run_id': runId,
      'baton.tier': 'reviewer',
      'baton.review.verdict': 'approve',
      'baton.review_id': review.id,
    });
    // It continues the stage that opened the review, and the action stage continues it.
    expect(spans.find((s) => s.spanId === decision.parentId)).toMatchObject({ service: 'decisioning', name: 'baton.run.enriched process' });
    const acting = spans.find((s) => s.service === 'action' && s.name === 'baton.run.decided process')!;
    expect(ancestors(spans, acting).map((s) => s.name)).toContain('review.decide');
    // The person's request has a trace of its own, linked from the decision.
    expect(decision.links).toHaveLength(1);
    const request = await jaeger.trace(decision.links[0]!.traceId);
    expect(request.some((s) => s.service === 'decisioning' && s.spanId === decision.links[0]!.spanId)).toBe(true);
  }, 120_000);
});

function isDatabaseSpan(span: TraceSpan): boolean {
  return /^pg\.query:/.test(span.name) && span.tags['db.system'] === 'postgresql';
}

function ancestors(spans: readonly TraceSpan[], span: TraceSpan): TraceSpan[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: TraceSpan[] = [];
  for (let parent = span.parentId && byId.get(span.parentId); parent; parent = parent.parentId && byId.get(parent.parentId))
    chain.push(parent);
  return chain;
}
