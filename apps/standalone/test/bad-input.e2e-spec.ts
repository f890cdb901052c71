import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { as, StandaloneHarness, WORKFLOWS_DIR } from './standalone.harness';

describe('bad input', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    // The sample workflows plus one broken file: the engine must start and serve the good ones.
    const dir = mkdtempSync(join(tmpdir(), 'baton-workflows-'));
    cpSync(WORKFLOWS_DIR, dir, { recursive: true });
    writeFileSync(
      join(dir, 'broken.yaml'),
      'apiVersion: baton/v1\nkind: Workflow\nid: broken\nversion: 1\nname: Broken\nowner: ops@acme.example\ntrigger: { type: ' +
        'webhook, source: x }\nactions:\n  - id: a\n    connector: crm\n    operation: getCustomer\n    args: { customerId: ' +
        '"trigger.(" }\n    verify: { operation: getCustomer, expect: "true" }\n',
    );
    sut = await StandaloneHarness.start({ workflowsDir: dir });
  });
  afterAll(async () => sut.close());

  it('reports a broken workflow file with file, line, path and reason, and keeps serving the others', async () => {
    const response = await sut.http('GET', '/workflows', undefined, as.viewer);
    expect(response.body.workflows.map((w: any) => w.id)).toEqual(
      expect.arrayContaining(['refund-request', 'support-ticket-routing', 'lead-routing', 'invoice-aging']),
    );
    expect(response.body.rejected).toHaveLength(1);
    expect(response.body.rejected[0].message).toMatch(/broken\.yaml:12:\d+ actions\[0\]\.args\.customerId: /);
  });

  it('answers 400 naming each invalid field of a trigger payload, and starts nothing', async () => {
    const before = await sut.http('GET', '/runs?limit=500', undefined, as.viewer);
    const response = await sut.http(
      'POST',
      '/workflows/refund-request/runs',
      { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: -5 } },
      as.submitter,
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_trigger');
    expect(response.body.details.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: '/payload/amount', message: 'must be > 0' }),
        expect.objectContaining({ path: '/payload/reason', message: 'is required' }),
      ]),
    );
    expect((await sut.http('GET', '/runs?limit=500', undefined, as.viewer)).body.runs).toHaveLength(before.body.runs.length);
  });

  it('answers 400 for a malformed body, an unknown organisation or unknown fields', async () => {
    const malformed = await sut.http('POST', '/workflows/refund-request/runs', '{"orgId": "acme", ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('bad_request');

    // A principal of every organisation is told the organisation does not exist; anyone else may not use it.
    const org = await sut.http(
      'POST',
      '/workflows/refund-request/runs',
      { orgId: 'nope', payload: { customerId: 'c', amount: 1, reason: 'r' } },
      as.admin,
    );
    expect(org.status).toBe(400);
    expect(org.body.details.issues[0]).toMatchObject({ path: '/orgId' });
    const notYours = await sut.http(
      'POST',
      '/workflows/refund-request/runs',
      { orgId: 'nope', payload: { customerId: 'c', amount: 1, reason: 'r' } },
      as.submitter,
    );
    expect(notYours).toMatchObject({ status: 403, body: { error: 'not_your_organisation' } });

    const extra = await sut.http('POST', '/workflows/refund-request/runs', { orgId: 'acme', payload: {}, priority: 'high' }, as.submitter);
    expect(extra.status).toBe(400);
    expect(extra.body.details.issues.map((i: any) => i.path)).toEqual(expect.arrayContaining(['/priority']));
  });

  it('answers 404 for an unknown workflow or run', async () => {
    expect((await sut.http('POST', '/workflows/nope/runs', { orgId: 'acme', payload: {} }, as.submitter)).status).toBe(404);
    expect((await sut.http('GET', '/runs/00000000-0000-4000-8000-000000000000', undefined, as.viewer)).status).toBe(404);
  });

  it('never loses accepted runs around rejected ones: a burst of good and bad triggers', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        sut.http(
          'POST',
          '/workflows/refund-request/runs',
          {
            orgId: 'acme',
            payload: i % 3 === 0 ? { amount: 'ten' } : { customerId: 'cus_northwind', amount: 10 + i, reason: `burst ${i}` },
          },
          as.submitter,
        ),
      ),
    );
    const accepted = results.filter((r) => r.status === 202).map((r) => r.body.runId);
    expect(results.filter((r) => r.status === 400)).toHaveLength(10);
    expect(accepted).toHaveLength(20);
    for (const runId of accepted) expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
  });

  it('starts a trigger once per Idempotency-Key', async () => {
    const payload = { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 42, reason: 'twice' } };
    const first = await sut.http('POST', '/workflows/refund-request/runs', payload, { ...as.submitter, 'idempotency-key': 'form-123' });
    const second = await sut.http('POST', '/workflows/refund-request/runs', payload, { ...as.submitter, 'idempotency-key': 'form-123' });
    expect(first.body).toMatchObject({ duplicate: false });
    expect(second.body).toMatchObject({ duplicate: true, runId: first.body.runId });
  });
});
