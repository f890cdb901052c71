import { as, StandaloneHarness } from './standalone.harness';

const mixedLead = (i: number) => ({
  company: `Smallco ${i}`,
  employees: 40,
  inquiry: 'enterprise',
  email: `buyer${i}@smallco.example`,
  region: 'emea',
});

describe('threshold calibration from decision history', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  async function reviewMixedLead(i: number, verdict: { verdict: 'approve' | 'reject'; suggestion?: string }): Promise<void> {
    const runId = await sut.startRun('lead-routing', 'acme', mixedLead(i));
    const requested: any = await sut.settled(runId);
    expect(requested.data.proposal).toMatchObject({ confidence: 0.6, suggestion: 'sales-emea' });
    const done = sut.nextSettled(runId);
    const response = await sut.http(
      'POST',
      `/reviews/${requested.data.reviewId}/decision`,
      { ...verdict, rationale: 'calibration history' },
      as.salesOps,
    );
    expect(response.status).toBe(200);
    await done;
  }

  it('starts conservative: a short history automates nothing, and says what each threshold would cost', async () => {
    for (let i = 0; i < 8; i++) await reviewMixedLead(i, { verdict: 'approve' });
    await reviewMixedLead(8, { verdict: 'approve', suggestion: 'sales-east' });
    await reviewMixedLead(9, { verdict: 'reject' });

    const response = await sut.http('GET', '/classifiers/lead-routing/calibration?targetPrecision=0.9', undefined, as.operator);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ workflowId: 'lead-routing', examples: 10, auto: 1, current: { auto: 0.85, suggest: 0.5 } });
    const at06 = response.body.report.find((r: any) => r.threshold === 0.6);
    expect(at06).toMatchObject({ automated: 10, errors: 2, coverage: 1 });
    expect(at06.expectedErrorsPer1000).toBeCloseTo(200, 0);
  });

  it('proposes the lowest threshold that reaches the target precision once the history supports it', async () => {
    for (let i = 10; i < 60; i++) await reviewMixedLead(i, { verdict: 'approve' });
    const strict = await sut.http('GET', '/classifiers/lead-routing/calibration?targetPrecision=0.99', undefined, as.operator);
    expect(strict.body.auto).toBe(1);
    const lenient = await sut.http('GET', '/classifiers/lead-routing/calibration?targetPrecision=0.9', undefined, as.operator);
    expect(lenient.body).toMatchObject({ examples: 60, auto: 0.6, coverageAtAuto: 1 });
    expect(lenient.body.precisionLowerBoundAtAuto).toBeGreaterThanOrEqual(0.9);
    expect((await sut.http('GET', '/classifiers/lead-routing/calibration?targetPrecision=2', undefined, as.operator)).status).toBe(400);
    expect((await sut.http('GET', '/classifiers/lead-routing/calibration', undefined, as.salesOps)).status).toBe(403);
  }, 120_000);
});
