import { createTestDatabase } from '@baton/platform-testing';
import { RunLedger } from '../../src/run-ledger';
import { runLedgerScenarios } from '../../src/__tests__/run-ledger.scenarios';

describe(`${RunLedger.name} on PostgreSQL`, () => {
  runLedgerScenarios(async () => {
    const db = await createTestDatabase('ledger');
    return { options: { kind: 'postgres', url: db.url }, cleanup: db.drop };
  });
});
