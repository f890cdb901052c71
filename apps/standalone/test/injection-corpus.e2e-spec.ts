import { as, StandaloneHarness } from './standalone.harness';

// Strings that would do something if any stage handed them to a JavaScript evaluator, a
// template engine or an object merge. Through Baton they must stay data.
const CORPUS = [
  "constructor.constructor('return process')().exit(1)",
  '__proto__',
  '${process.exit(1)}',
  '`${require("fs").readdirSync("/")}`',
  "require('child_process').execSync('touch /tmp/baton-pwned')",
  "import('fs').then(f => f.rmSync('/tmp', { recursive: true }))",
  'process.mainModule.require("fs")',
  '{{7*7}}',
];

describe('injection corpus in trigger payloads', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it('carries every hostile string through all five stages as plain text, with no side effect', async () => {
    for (const text of CORPUS) {
      const runId = await sut.startRun('refund-request', 'acme', { customerId: 'cus_northwind', amount: 10, reason: text });
      expect(await sut.settled(runId)).toMatchObject({ data: { status: 'completed' } });
      const run = await sut.run(runId);
      expect((run.timeline[0].detail.trigger as { reason: string }).reason).toBe(text);
    }
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('keeps __proto__ and constructor keys in payloads from reaching object prototypes', async () => {
    const payload = JSON.parse(
      '{"customerId":"cus_northwind","amount":10,"reason":"proto",' +
        '"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}',
    );
    const response = await sut.http('POST', '/workflows/refund-request/runs', { orgId: 'acme', payload }, as.submitter);
    // The trigger schema allows extra fields; whether accepted or refused, nothing may be polluted.
    expect([202, 400]).toContain(response.status);
    if (response.status === 202) expect(await sut.settled(response.body.runId)).toMatchObject({ type: 'baton.run.completed' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('never lets a customer or organisation id that looks like an inherited member resolve to one', async () => {
    const org = await sut.http(
      'POST',
      '/workflows/refund-request/runs',
      { orgId: '__proto__', payload: { customerId: 'c', amount: 1, reason: 'r' } },
      as.admin,
    );
    expect(org.status).toBe(400);
    expect(org.body.details.issues[0]).toMatchObject({ path: '/orgId' });
    const runId = await sut.startRun('refund-request', 'acme', { customerId: 'constructor', amount: 5, reason: 'inherited' });
    expect(await sut.settled(runId)).toMatchObject({ data: { status: 'blocked', reason: expect.stringContaining('not found') } });
  });
});
