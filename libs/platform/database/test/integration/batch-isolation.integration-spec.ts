import { createTestDatabase } from '@baton/platform-testing';
import { RunLedger } from '../../src/run-ledger';
import { batchIsolationScenarios } from '../../src/__tests__/batch-isolation.scenarios';

describe(`${RunLedger.name} batch isolation on PostgreSQL`, () => {
  batchIsolationScenarios(async () => {
    const db = await createTestDatabase('batch');
    return { options: { kind: 'postgres', url: db.url }, cleanup: db.drop };
  });
});
