import { IdempotencyKeyPurgeService } from '@baton/ingestion';
import { as, StandaloneHarness } from './standalone.harness';

/** Idempotency-Key on starting runs, as Stripe keeps them: scoped, fingerprinted, expiring. */
describe('Idempotency-Key', () => {
  let sut: StandaloneHarness;
  const refund = (amount: number) => ({ orgId: 'acme', payload: { customerId: 'cus_northwind', amount, reason: 'Idempotent' } });
  const start = (body: unknown, key: string, caller: Record<string, string> = as.submitter, workflowId = 'refund-request') =>
    sut.app
      .getHttpAdapter()
      .getInstance()
      .inject({
        method: 'POST',
        url: `/workflows/${workflowId}/runs`,
        headers: { ...caller, 'content-type': 'application/json', 'idempotency-key': key },
        payload: JSON.stringify(body),
      });
  const runCount = async () => ((await sut.http('GET', '/runs?limit=500', undefined, as.operator)).body.runs as unknown[]).length;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it('answers the same request with the same key with the original answer, starting one run', async () => {
    const before = await runCount();
    const first = await start(refund(42), 'order-1001');
    // Key order in the body does not make it another request.
    const again = await start({ payload: { reason: 'Idempotent', amount: 42, customerId: 'cus_northwind' }, orgId: 'acme' }, 'order-1001');

    expect(first.statusCode).toBe(202);
    expect(again.statusCode).toBe(202);
    const [a, b] = [JSON.parse(first.body), JSON.parse(again.body)];
    expect(b).toEqual({ ...a, duplicate: true });
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await runCount()).toBe(before + 1);
  });

  it('refuses the same key with a different request with 422 naming what differs, and starts nothing', async () => {
    const first = JSON.parse((await start(refund(10), 'order-1002')).body);
    const before = await runCount();

    const otherBody = await start(refund(11), 'order-1002');
    expect(otherBody.statusCode).toBe(422);
    expect(JSON.parse(otherBody.body)).toMatchObject({
      error: 'idempotency_key_reused',
      message: expect.stringContaining(`Idempotency-Key "order-1002" was first used at`),
      details: {
        idempotencyKey: 'order-1002',
        differs: ['payload'],
        original: { workflowId: 'refund-request', orgId: 'acme', runId: first.runId },
      },
    });
    const otherWorkflow = await start(
      { orgId: 'acme', payload: { customerId: 'cus_northwind', amount: 10, reason: 'Idempotent' } },
      'order-1002',
      as.submitter,
      'goodwill-credit',
    );
    expect(otherWorkflow.statusCode).toBe(422);
    expect(JSON.parse(otherWorkflow.body).details.differs).toEqual(['workflowId']);
    expect(await runCount()).toBe(before);
  });

  it('scopes keys to the caller: another principal’s same key is another key', async () => {
    const acme = JSON.parse((await start(refund(12), 'shared-key')).body);
    const globex = await start(
      { orgId: 'globex', payload: { customerId: 'cus_wayne', amount: 12, reason: 'Idempotent' } },
      'shared-key',
      as.globexSubmitter,
    );
    expect(globex.statusCode).toBe(202);
    expect(JSON.parse(globex.body)).toMatchObject({ duplicate: false, runId: expect.not.stringMatching(acme.runId) });
  });

  it('forgets keys once they expire: purged, the key starts a new run', async () => {
    const first = JSON.parse((await start(refund(13), 'order-1003')).body);
    const purged = await sut.app.get(IdempotencyKeyPurgeService).purge(new Date(Date.now() + 25 * 60 * 60 * 1000));
    expect(purged).toBeGreaterThan(0);

    const later = JSON.parse((await start(refund(14), 'order-1003')).body);
    expect(later).toMatchObject({ duplicate: false });
    expect(later.runId).not.toBe(first.runId);
  });

  it('refuses a key that cannot be one, naming the header', async () => {
    const response = await start(refund(15), 'has spaces in it');
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).details.issues).toEqual([expect.objectContaining({ path: 'Idempotency-Key', in: 'header' })]);
  });
});
