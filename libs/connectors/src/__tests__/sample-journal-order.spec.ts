import { BillingSampleSystem, SampleIds, type SampleJournal, type SampleJournalEntry } from '../index';
import { rejection } from '../../test/connector-rejection.util';

const refundArgs = { accountId: SampleIds.accounts.northwind, amount: 40, currency: 'USD', reason: 'late delivery' };

/** A journal whose stores the test settles by hand; `inOrder` offers the ordered form. */
class HeldJournal implements SampleJournal {
  readonly stores: Array<{ entry: SampleJournalEntry; resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(private readonly inOrder: boolean) {}

  append(entry: SampleJournalEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => this.stores.push({ entry, resolve, reject }));
  }

  appendInOrder(entry: SampleJournalEntry): Promise<void> | null {
    return this.inOrder ? this.append(entry) : null;
  }
}

/** Whether the promise settles within a few turns of the event loop (a journal held by the test never settles by itself). */
async function settlesSoon(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('sample-system writes and their journal', () => {
  it('answers a write only once its entry is stored, on a journal that keeps no order with the engine', async () => {
    const journal = new HeldJournal(false);
    const billing = new BillingSampleSystem();
    billing.attachJournal(journal, []);
    journal.stores.splice(0).forEach((s) => s.resolve()); // the seed entry

    const refund = billing.call('issueRefund', refundArgs, { idempotencyKey: 'run-1:refund' });

    expect(await settlesSoon(refund)).toBe(false);
    journal.stores[0]!.resolve();
    expect(await refund).toMatchObject({ refundId: 're_1001', status: 'issued' });
  });

  it('answers a write as soon as its entry is in line, on a journal that keeps the engine’s order', async () => {
    const journal = new HeldJournal(true);
    const billing = new BillingSampleSystem();
    billing.attachJournal(journal, []);

    const refund = billing.call('issueRefund', refundArgs, { idempotencyKey: 'run-1:refund' });

    expect(await settlesSoon(refund)).toBe(true);
    expect(await refund).toMatchObject({ refundId: 're_1001', status: 'issued' });
    // The entry still goes to the journal, with what a replay of the key returns.
    expect(journal.stores.at(-1)!.entry).toMatchObject({
      system: 'billing',
      effect: 'issueRefund',
      replay: { key: 'issueRefund:run-1:refund' },
    });
    // And a read made after it sees it.
    expect(await billing.call('getRefund', { refundId: 're_1001' })).toMatchObject({ amount: 40 });
  });

  it('undoes a write answered in line whose entry then fails to be stored, so a retry under its key applies it once', async () => {
    const journal = new HeldJournal(true);
    const billing = new BillingSampleSystem();
    billing.attachJournal(journal, []);
    await billing.call('issueRefund', refundArgs, { idempotencyKey: 'run-1:refund' });
    expect(billing.effects()).toMatchObject({ issueRefund: 1 });

    journal.stores.at(-1)!.reject(new Error('disk full'));
    await new Promise((resolve) => setImmediate(resolve));

    // Gone from memory as from the journal: effect, record and remembered key.
    expect(billing.effects()).toMatchObject({ issueRefund: 0 });
    const error = await rejection(billing.call('getRefund', { refundId: 're_1001' }));
    expect(error.message).toContain('not found');
    const retried = billing.call('issueRefund', refundArgs, { idempotencyKey: 'run-1:refund' });
    expect(await retried).toMatchObject({ refundId: 're_1001' });
    expect(billing.effects()).toMatchObject({ issueRefund: 1 });
  });
});
