import { BANKING77_TEAMS, loadBanking77 } from '@baton/classifier';
import { as, BANKING77_DIR, StandaloneHarness } from './standalone.harness';

describe('banking support routing by a calibrated classifier', () => {
  let sut: StandaloneHarness;

  beforeAll(async () => {
    sut = await StandaloneHarness.start();
  });
  afterAll(async () => sut.close());

  it('asks a person while no classifier is trained: not knowing is no reason to act', async () => {
    const runId = await sut.startRun('banking-support-routing', 'acme', {
      customerId: 'cus_northwind',
      query: 'my card has not arrived yet',
    });
    const settled: any = await sut.settled(runId);
    expect(settled).toMatchObject({ type: 'baton.review.requested', data: { queue: 'manual' } });
    expect(settled.data.proposal.reason).toContain('no trained classifier');
  });

  it('trains, stores and audits a version, calibrated to 99% precision on held-out data', async () => {
    const forbidden = await sut.http('POST', '/classifiers/banking-support-routing/train', { dataset: 'banking77' }, as.supportLead);
    expect(forbidden.status).toBe(403);
    const unknown = await sut.http('POST', '/classifiers/banking-support-routing/train', { dataset: '/etc/passwd' }, as.operator);
    expect(unknown.status).toBe(400);

    const trained = await sut.http('POST', '/classifiers/banking-support-routing/train', { dataset: 'banking77', seed: 1 }, as.operator);
    expect(trained.status).toBe(201);
    expect(trained.body).toMatchObject({ version: 1, active: true, thresholds: { targetPrecision: 0.99 } });
    expect(trained.body.thresholds.auto).toBeGreaterThan(trained.body.thresholds.suggest);

    const evaluation = await sut.http(
      'POST',
      '/classifiers/banking-support-routing/evaluate',
      { dataset: 'banking77', targetPrecision: 0.99 },
      as.operator,
    );
    expect(evaluation.status).toBe(200);
    expect(evaluation.body.heldOut.accuracy).toBeGreaterThan(0.85);
    expect(evaluation.body.automatic.precision).toBeGreaterThan(0.975);
    expect(evaluation.body.automatic.coverage).toBeGreaterThan(0.4);
  }, 120_000);

  it('routes confident queries to the right team on its own and sends the rest to a person with the prediction attached', async () => {
    const { examples } = await loadBanking77(BANKING77_DIR);
    const sample = examples.filter((_, i) => i % 200 === 7).slice(0, 40);
    let automatic = 0;
    let correct = 0;
    let reviewed = 0;
    for (const example of sample) {
      const runId = await sut.startRun('banking-support-routing', 'acme', { customerId: 'cus_northwind', query: example.text });
      const settled: any = await sut.settled(runId);
      if (settled.type === 'baton.run.completed') {
        automatic++;
        const decision = (await sut.run(runId)).timeline.find((t) => t.to === 'decided')!.detail.decision as any;
        expect(decision).toMatchObject({ tier: 'auto', thresholds: { source: 'calibrated' }, classifier: { version: 1 } });
        if (decision.suggestion === BANKING77_TEAMS[example.label]) correct++;
      } else {
        reviewed++;
        expect(settled.data.proposal.classifier.ranking.length).toBeGreaterThan(1);
        expect(['suggested', 'manual']).toContain(settled.data.queue);
      }
    }
    expect(automatic).toBeGreaterThan(10);
    expect(reviewed + automatic).toBe(sample.length);
    expect(correct / automatic).toBeGreaterThanOrEqual(0.95);
  }, 120_000);
});
