import { RunLedger } from '../run-ledger';
import { runLedgerScenarios } from './run-ledger.scenarios';

describe(`${RunLedger.name} on PGlite`, () => {
  runLedgerScenarios(async () => ({ options: { kind: 'pglite' } }));
});
