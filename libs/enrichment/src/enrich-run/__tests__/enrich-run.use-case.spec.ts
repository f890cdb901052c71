import { randomUUID } from 'node:crypto';
import { createEvent, EventTypes, type RunRef } from '@baton/contracts';
import { ConnectorRegistry, type Connector } from '@baton/connectors';
import type { RunLedger, RunQueries } from '@baton/platform-database';
import { HandOverDeclined } from '@baton/platform-messaging';
import type { WorkflowCatalog } from '@baton/platform-runtime';
import { EnrichRunUseCase } from '../enrich-run.use-case';

describe(EnrichRunUseCase.name, () => {
  const run: RunRef = { runId: randomUUID(), workflowId: 'wf', workflowVersion: 1, orgId: 'acme' };
  const triggered = () =>
    createEvent(
      EventTypes.runTriggered,
      run,
      { trigger: {}, source: { kind: 'api', name: 'test' }, receivedAt: new Date().toISOString() },
      { source: 'baton/test' },
    );

  /** The use case over one workflow whose only context step calls `operation` on a billing connector. */
  function useCaseCalling(operation: 'getAccount' | 'adjustBalance', handingOver: boolean) {
    const calls: string[] = [];
    const billing: Connector = {
      name: 'billing',
      operations: [
        { name: 'getAccount', kind: 'read', description: 'reads an account' },
        { name: 'adjustBalance', kind: 'write', description: 'changes an account' },
      ],
      call: async (op: string) => {
        calls.push(op);
        return {};
      },
    };
    const connectors = new ConnectorRegistry();
    connectors.register(billing);
    const workflow = { id: 'wf', version: 1, context: [{ id: 'account', connector: 'billing', operation, args: {}, optional: false }] };
    const catalog = { get: () => workflow, organisation: () => ({}) } as unknown as WorkflowCatalog;
    const consumed: string[] = [];
    const ledger = {
      handingOver: () => handingOver,
      current: async () => ({ ...run, state: 'triggered', seq: 1 }),
      consume: async (inbox: { eventId: string }) => {
        consumed.push(inbox.eventId);
        return { outcome: 'processed', value: undefined };
      },
    } as unknown as RunLedger;
    return { sut: new EnrichRunUseCase(catalog, connectors, ledger, {} as RunQueries), calls, consumed };
  }

  it('declines a run handed over by the group starting it when a context step writes: nothing is called', async () => {
    const { sut, calls, consumed } = useCaseCalling('adjustBalance', true);

    await expect(sut.execute(triggered())).rejects.toBeInstanceOf(HandOverDeclined);
    expect(calls).toEqual([]);
    expect(consumed).toEqual([]);
  });

  it('runs the same step once the run is stored (delivered the usual way), and reads while it is handed over', async () => {
    const stored = useCaseCalling('adjustBalance', false);
    expect(await stored.sut.execute(triggered())).toBe('processed');
    expect(stored.calls).toEqual(['adjustBalance']);

    const reading = useCaseCalling('getAccount', true);
    expect(await reading.sut.execute(triggered())).toBe('processed');
    expect(reading.calls).toEqual(['getAccount']);
  });
});
