import { RunLedger } from '../run-ledger';
import { batchIsolationScenarios } from './batch-isolation.scenarios';

describe(`${RunLedger.name} batch isolation on PGlite`, () => {
  batchIsolationScenarios(async () => ({ options: { kind: 'pglite' } }));
});
