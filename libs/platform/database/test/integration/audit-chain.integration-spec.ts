import { createTestDatabase } from '@baton/platform-testing';
import { verifyAuditChain } from '../../src/audit-chain-verify.util';
import { auditChainScenarios } from '../../src/__tests__/audit-chain.scenarios';

describe(`audit chain (${verifyAuditChain.name}) on PostgreSQL`, () => {
  auditChainScenarios(async () => {
    const db = await createTestDatabase('audit');
    return { options: { kind: 'postgres', url: db.url }, cleanup: db.drop };
  });
});
