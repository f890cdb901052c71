import { openServicePglite } from '@baton/platform-database';
import { useTestDataSource } from '@baton/platform-testing';
import { decisioningEntities, decisioningMigrations } from '../../index';
import { ClassifierModelsRepository } from '../classifier-models.repository';

const TRAINED = {
  workflowId: 'support-ticket-routing',
  modelId: 'nb-1',
  createdBy: 'person:ann',
  source: 'dataset:tickets',
  metrics: { accuracy: 0.93, perClass: { billing: { precision: 0.95 } } },
  thresholds: { auto: 0.9, suggest: 0.6, targetPrecision: 0.99 },
};

describe(ClassifierModelsRepository.name, () => {
  let sut: ClassifierModelsRepository;

  const db = useTestDataSource(() => openServicePglite(decisioningEntities, decisioningMigrations));
  beforeAll(() => {
    sut = new ClassifierModelsRepository(db.dataSource);
  });

  it('numbers each new version of a workflow and makes it the only active one', async () => {
    expect(await sut.activeVersion(TRAINED.workflowId)).toBeNull();
    const first = await db.dataSource.transaction((m) => sut.insertActive(m, { ...TRAINED, model: '{"v":1}' }));
    const second = await db.dataSource.transaction((m) => sut.insertActive(m, { ...TRAINED, modelId: 'nb-2', model: '{"v":2}' }));
    const elsewhere = await db.dataSource.transaction((m) => sut.insertActive(m, { ...TRAINED, workflowId: 'lead-routing', model: '{}' }));

    expect([first, second, elsewhere]).toEqual([1, 2, 1]);
    expect(await sut.activeVersion(TRAINED.workflowId)).toBe(2);
    expect((await sut.list(TRAINED.workflowId)).map((v) => [v.version, v.active])).toEqual([
      [2, true],
      [1, false],
    ]);
  });

  it('lists versions newest first without the model, and loads one with it', async () => {
    const [latest] = await sut.list(TRAINED.workflowId);
    expect(latest).toEqual({
      workflowId: TRAINED.workflowId,
      version: 2,
      modelId: 'nb-2',
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      createdBy: 'person:ann',
      source: 'dataset:tickets',
      metrics: TRAINED.metrics,
      thresholds: TRAINED.thresholds,
      active: true,
    });
    expect(latest).not.toHaveProperty('model');
    expect(await sut.load(TRAINED.workflowId, 1)).toEqual({ ...(await sut.list(TRAINED.workflowId))[1], model: '{"v":1}' });
    expect(await sut.load(TRAINED.workflowId, 9)).toBeNull();
  });
});
