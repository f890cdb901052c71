import { BillingSampleSystem, SampleIds, SampleSystem, TicketsSampleSystem, type FaultKind, type RecordChange } from '../index';
import { rejection } from '../../test/connector-rejection.util';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const now = () => NOW;
const account = SampleIds.accounts.northwind;
const refundArgs = { accountId: account, amount: 20, currency: 'USD', reason: 'goodwill' };

describe(SampleSystem.name, () => {
  let sut: BillingSampleSystem;

  beforeEach(() => {
    sut = new BillingSampleSystem({ now });
  });

  describe('calls', () => {
    it('rejects an unknown operation as a data failure listing the known ones', async () => {
      const error = await rejection(sut.call('chargeCard', {}));

      expect(error).toMatchObject({ failureClass: 'data', code: 'unknown_operation', operation: 'chargeCard' });
      expect(error.message).toMatch(/^billing\.chargeCard: unknown operation \(known: getAccount, /);
    });

    it('rejects arguments the operation does not take', async () => {
      const error = await rejection(sut.call('issueRefund', { ...refundArgs, ammount: 5 }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'invalid_argument' });
      expect(error.message).toBe('billing.issueRefund: ammount is not an argument of issueRefund');
    });

    it('rejects arguments that are not an object', async () => {
      const error = await rejection(sut.call('getAccount', null as unknown as Record<string, unknown>));

      expect(error.message).toBe('billing.getAccount: args must be an object');
    });

    it('returns copies, so callers cannot change stored records', async () => {
      const first = (await sut.call('getAccount', { accountId: account })) as { balance: number };
      first.balance = 0;

      expect(await sut.call('getAccount', { accountId: account })).toMatchObject({ balance: 241 });
    });

    it('describes every operation', () => {
      expect(sut.operations.find((op) => op.name === 'issueRefund')).toEqual(
        expect.objectContaining({ kind: 'write', compensation: 'voidRefund', honoursIdempotencyKey: true }),
      );
    });
  });

  describe('idempotency keys', () => {
    it('returns the first result for a repeated key and acts once', async () => {
      const first = await sut.call('issueRefund', refundArgs, { idempotencyKey: 'run-1:step-2' });
      const second = await sut.call('issueRefund', refundArgs, { idempotencyKey: 'run-1:step-2' });

      expect(second).toEqual(first);
      expect(await sut.call('listRefunds', { accountId: account })).toHaveLength(1);
      expect(sut.effects().issueRefund).toBe(1);
    });

    it('treats argument key order as the same call', async () => {
      await sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' });
      const reordered = { reason: 'goodwill', currency: 'USD', amount: 20, accountId: account };

      await expect(sut.call('issueRefund', reordered, { idempotencyKey: 'k' })).resolves.toBeDefined();
      expect(sut.effects().issueRefund).toBe(1);
    });

    it('refuses a key reused with different arguments', async () => {
      await sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' });

      const error = await rejection(sut.call('issueRefund', { ...refundArgs, amount: 30 }, { idempotencyKey: 'k' }));

      expect(error).toMatchObject({ failureClass: 'data', code: 'idempotency_key_reused' });
      expect(error.message).toBe('billing.issueRefund: idempotencyKey "k" was already used with different arguments');
    });

    it('acts again for a different key or no key', async () => {
      await sut.call('issueRefund', refundArgs, { idempotencyKey: 'a' });
      await sut.call('issueRefund', refundArgs, { idempotencyKey: 'b' });
      await sut.call('issueRefund', refundArgs);

      expect(sut.effects().issueRefund).toBe(3);
    });

    it('does not remember a key whose call failed validation', async () => {
      await rejection(sut.call('issueRefund', { ...refundArgs, amount: -1 }, { idempotencyKey: 'k' }));

      await expect(sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' })).resolves.toMatchObject({ amount: 20 });
    });
  });

  describe('faults', () => {
    it.each<[FaultKind, string, string]>([
      ['timeout', 'transient', 'timeout'],
      ['rate_limited', 'transient', 'rate_limited'],
      ['server_error', 'transient', 'server_error'],
      ['bad_request', 'data', 'bad_request'],
      ['connection_refused', 'infrastructure', 'connection_refused'],
    ])('maps %s to a %s failure', async (kind, failureClass, code) => {
      sut.faults.set({ failNext: { count: 1, kind } });

      const error = await rejection(sut.call('getAccount', { accountId: account }));

      expect(error).toMatchObject({ connector: 'billing', operation: 'getAccount', failureClass, code });
      expect(error.message).toMatch(/^billing\.getAccount: /);
    });

    it('carries retryAfterMs on rate_limited only', async () => {
      sut.faults.set({ failNext: { count: 2, kind: 'rate_limited', retryAfterMs: 1500 } });
      expect((await rejection(sut.call('getAccount', { accountId: account }))).retryAfterMs).toBe(1500);
      expect((await rejection(sut.call('getAccount', { accountId: account }))).retryAfterMs).toBe(1500);

      sut.faults.set({ failNext: { count: 1, kind: 'rate_limited' } });
      expect((await rejection(sut.call('getAccount', { accountId: account }))).retryAfterMs).toBe(1000);

      sut.faults.set({ failNext: { count: 1, kind: 'server_error', retryAfterMs: 1500 } });
      expect((await rejection(sut.call('getAccount', { accountId: account }))).retryAfterMs).toBeUndefined();
    });

    it('fails exactly count calls, then answers again', async () => {
      sut.faults.set({ failNext: { count: 2, kind: 'server_error' } });

      await rejection(sut.call('getAccount', { accountId: account }));
      expect(sut.faults.current.failNext?.count).toBe(1);
      await rejection(sut.call('getAccount', { accountId: account }));
      expect(sut.faults.current.failNext).toBeUndefined();
      await expect(sut.call('getAccount', { accountId: account })).resolves.toMatchObject({ id: account });
    });

    it('does not act on a write that failed before applying', async () => {
      sut.faults.set({ failNext: { count: 1, kind: 'timeout' } });

      await rejection(sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' }));

      expect(sut.effects().issueRefund).toBe(0);
      expect(await sut.call('listRefunds', {})).toEqual([]);
    });

    it('acts but loses the response when afterApply is set; the same key then returns the first refund', async () => {
      sut.faults.set({ failNext: { count: 1, kind: 'timeout', afterApply: true } });

      await rejection(sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' }));
      expect(sut.effects().issueRefund).toBe(1);
      const retried = await sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' });

      expect(retried).toMatchObject({ refundId: 're_1001' });
      expect(sut.effects().issueRefund).toBe(1);
    });

    it('fails every call as infrastructure while down, until cleared', async () => {
      sut.faults.set({ down: true });

      for (let i = 0; i < 3; i += 1) {
        expect(await rejection(sut.call('getAccount', { accountId: account }))).toMatchObject({
          failureClass: 'infrastructure',
          code: 'unavailable',
          message: 'billing.getAccount: billing is unavailable',
        });
      }
      sut.faults.clear();

      await expect(sut.call('getAccount', { accountId: account })).resolves.toMatchObject({ id: account });
    });

    it('leaves failNext untouched while down', async () => {
      sut.faults.set({ down: true, failNext: { count: 1, kind: 'timeout' } });
      await rejection(sut.call('getAccount', { accountId: account }));
      sut.faults.set({ down: false });

      expect((await rejection(sut.call('getAccount', { accountId: account }))).code).toBe('timeout');
    });

    it('changes only the switches named', () => {
      sut.faults.set({ latencyMs: 50 });
      sut.faults.set({ down: true });
      expect(sut.faults.current).toEqual({ latencyMs: 50, down: true, failNext: undefined });

      sut.faults.set({ latencyMs: undefined });
      expect(sut.faults.current.latencyMs).toBe(0);
    });

    it('rejects nonsensical settings', () => {
      expect(() => sut.faults.set({ latencyMs: -1 })).toThrow(RangeError);
      expect(() => sut.faults.set({ failNext: { count: 1.5, kind: 'timeout' } })).toThrow(RangeError);
    });
  });

  describe('latency', () => {
    beforeEach(() => {
      jest.useFakeTimers();
    });

    afterEach(() => {
      jest.useRealTimers();
    });

    it('answers only after the configured latency', async () => {
      sut.faults.set({ latencyMs: 200 });
      let settled = false;
      const call = sut.call('getAccount', { accountId: account }).then((result) => {
        settled = true;
        return result;
      });

      await jest.advanceTimersByTimeAsync(199);
      expect(settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);

      expect(settled).toBe(true);
      await expect(call).resolves.toMatchObject({ id: account });
    });

    it('answers without a timer when latency is zero', async () => {
      await expect(sut.call('getAccount', { accountId: account })).resolves.toMatchObject({ id: account });
      expect(jest.getTimerCount()).toBe(0);
    });

    it('times out after the latency when both are set', async () => {
      sut.faults.set({ latencyMs: 5000, failNext: { count: 1, kind: 'timeout' } });
      const call = rejection(sut.call('getAccount', { accountId: account }));

      await jest.advanceTimersByTimeAsync(5000);

      expect((await call).code).toBe('timeout');
    });
  });

  describe('change feed', () => {
    it('tells every listener of each write with before and after, and stops after unsubscribe', async () => {
      const changes: RecordChange[] = [];
      const unsubscribe = sut.onChange((change) => changes.push(change));

      const credit = (await sut.call(
        'issueCredit',
        { accountId: account, amount: 40, currency: 'USD', reason: 'outage' },
        { runId: 'run-9' },
      )) as {
        creditId: string;
      };
      unsubscribe();
      await sut.call('voidCredit', { creditId: credit.creditId });

      expect(changes).toEqual([
        {
          system: 'billing',
          table: 'credits',
          recordId: credit.creditId,
          op: 'c',
          before: null,
          after: expect.objectContaining({ amount: 40, status: 'issued' }),
          at: NOW.toISOString(),
          runId: 'run-9',
        },
        {
          system: 'billing',
          table: 'accounts',
          recordId: account,
          op: 'u',
          before: expect.objectContaining({ balance: 241 }),
          after: expect.objectContaining({ balance: 201 }),
          at: NOW.toISOString(),
          runId: 'run-9',
        },
      ]);
    });

    it('is silent for reads, failed writes and replays', async () => {
      const listener = jest.fn();
      sut.onChange(listener);
      await sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' });
      listener.mockClear();

      await sut.call('getAccount', { accountId: account });
      await sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' });
      await rejection(sut.call('issueRefund', { ...refundArgs, currency: 'EUR' }));

      expect(listener).not.toHaveBeenCalled();
    });

    it('does not let a throwing listener fail the write', async () => {
      const thrown = new Error('listener bug');
      const uncaught = jest.spyOn(globalThis, 'queueMicrotask').mockImplementation(() => undefined);
      const healthy = jest.fn();
      sut.onChange(() => {
        throw thrown;
      });
      sut.onChange(healthy);

      await expect(sut.call('issueRefund', refundArgs)).resolves.toMatchObject({ refundId: 're_1001' });

      expect(healthy).toHaveBeenCalledTimes(1);
      expect(uncaught).toHaveBeenCalledTimes(1);
      uncaught.mockRestore();
    });
  });

  describe('snapshot, restore and reset', () => {
    it('restores data, effects and remembered keys', async () => {
      const before = sut.snapshot();
      await sut.call('issueCredit', { accountId: account, amount: 40, currency: 'USD', reason: 'outage' }, { idempotencyKey: 'k' });
      const afterCredit = sut.snapshot();

      sut.restore(before);
      expect(await sut.call('getAccount', { accountId: account })).toMatchObject({ balance: 241 });
      expect(sut.effects().issueCredit).toBe(0);

      sut.restore(afterCredit);
      await sut.call('issueCredit', { accountId: account, amount: 40, currency: 'USD', reason: 'outage' }, { idempotencyKey: 'k' });
      expect(await sut.call('getAccount', { accountId: account })).toMatchObject({ balance: 201 });
      expect(sut.effects().issueCredit).toBe(1);
    });

    it('keeps a snapshot independent of later writes', async () => {
      const snapshot = sut.snapshot();
      await sut.call('issueCredit', { accountId: account, amount: 40, currency: 'USD', reason: 'outage' });

      expect(snapshot.data.accounts[account]?.balance).toBe(241);
      expect(snapshot.data.credits).toEqual({});
    });

    it('refuses a snapshot of another system', () => {
      const other = new TicketsSampleSystem({ now }).snapshot();

      expect(() => sut.restore(other as never)).toThrow('cannot restore a tickets snapshot into billing');
    });

    it('resets to the seed, zeroes effects and clears faults but keeps listeners', async () => {
      const listener = jest.fn();
      sut.onChange(listener);
      await sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' });
      sut.faults.set({ latencyMs: 10, down: true });

      sut.reset();

      expect(sut.faults.current).toEqual({ latencyMs: 0, down: false, failNext: undefined });
      expect(sut.effects().issueRefund).toBe(0);
      expect(await sut.call('listRefunds', {})).toEqual([]);
      expect(sut.snapshot()).toEqual(new BillingSampleSystem({ now }).snapshot());
      await sut.call('issueRefund', refundArgs, { idempotencyKey: 'k' });
      expect(sut.effects().issueRefund).toBe(1);
      expect(listener).toHaveBeenCalledTimes(2);
    });
  });
});
