import { createSampleSystems, type SampleSystems } from '@baton/connectors';
import { assertEntityEvent, EventTypes } from '@baton/contracts';
import type { AuditInput, OutboxInput, RunLedger } from '@baton/platform-database';
import { BatonMetrics } from '@baton/platform-observability';
import type { Mismatch } from '@baton/workflow';
import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { MismatchRepository, StoredMismatch } from '../mismatches/mismatch.repository';
import { ResolveMismatchUseCase } from '../mismatches/resolve-mismatch.use-case';
import { ReconciliationErrorCode, ReconciliationException } from '../reconciliation.exception';
import { ReconciliationMetrics } from '../reconciliation-metrics.util';
import { SweepSourcesUseCase } from '../sweep/sweep-sources.use-case';

/** The mismatch table's rules in memory: one open mismatch per field and entity. */
class InMemoryMismatches {
  readonly rows: StoredMismatch[] = [];

  async record(_m: EntityManager, mismatch: Mismatch) {
    const open = this.rows.find((r) => r.status === 'open' && r.field === mismatch.field && r.entityId === mismatch.entityId);
    if (open) {
      const announce = JSON.stringify([open.truth, open.copies]) !== JSON.stringify([mismatch.truth, mismatch.copies]);
      Object.assign(open, { truth: mismatch.truth, copies: mismatch.copies });
      return { mismatch: open, announce };
    }
    const row: StoredMismatch = {
      ...mismatch,
      id: `00000000-0000-4000-8000-00000000000${this.rows.length + 1}`,
      status: 'open',
      detectedAt: '',
      lastSeenAt: '',
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
    };
    this.rows.push(row);
    return { mismatch: row, announce: true };
  }

  async clear(_m: EntityManager, field: string, entityIds: readonly string[]) {
    const cleared = this.rows.filter((r) => r.status === 'open' && r.field === field && entityIds.includes(r.entityId));
    for (const row of cleared) Object.assign(row, { status: 'cleared', resolvedBy: 'system:reconciliation' });
    return cleared;
  }

  async get(id: string) {
    return this.rows.find((r) => r.id === id) ?? null;
  }

  async resolve(_m: EntityManager, id: string, by: string, resolution: Record<string, unknown>) {
    const row = this.rows.find((r) => r.id === id && r.status === 'open');
    if (!row) return null;
    return Object.assign(row, { status: 'resolved', resolvedBy: by, resolution });
  }

  async openByField() {
    return [];
  }
}

/** One unit of work per transaction, recording what it audited and emitted. */
class RecordingLedger {
  readonly audits: AuditInput[] = [];
  readonly emitted: OutboxInput[] = [];

  async transaction<T>(work: (uow: unknown) => Promise<T>): Promise<T> {
    const uow = {
      manager: {},
      audit: async (e: AuditInput) => void this.audits.push(e),
      emit: async (m: OutboxInput) => void this.emitted.push(m),
    };
    return work(uow);
  }
}

beforeAll(() => Logger.overrideLogger(false));

describe('reconciliation use cases', () => {
  let systems: SampleSystems;
  let mismatches: InMemoryMismatches;
  let ledger: RecordingLedger;
  let sweep: SweepSourcesUseCase;
  let sut: ResolveMismatchUseCase;

  beforeEach(() => {
    systems = createSampleSystems({ now: () => new Date('2025-01-01T00:00:00.000Z') });
    mismatches = new InMemoryMismatches();
    ledger = new RecordingLedger();
    const repository = mismatches as unknown as MismatchRepository;
    const metrics = new ReconciliationMetrics(new BatonMetrics('test'), repository);
    sweep = new SweepSourcesUseCase(systems.registry, ledger as unknown as RunLedger, repository, metrics);
    sut = new ResolveMismatchUseCase(repository, systems.registry, ledger as unknown as RunLedger);
  });

  describe(SweepSourcesUseCase.name, () => {
    it('finds the seeded tier mismatch, announces it once as an entity event, and clears it once the sources agree', async () => {
      const first = await sweep.execute();
      expect(first).toMatchObject({ checked: 7, announced: 1, cleared: 0 });
      expect(first.mismatches.map((m) => [m.entityId, m.truth.value, m.copies])).toEqual([
        ['cus_mismatch', 'pro', [{ source: 'crm.tier', value: 'enterprise' }]],
      ]);
      const [message] = ledger.emitted;
      expect(message).toMatchObject({ topic: 'baton.reconciliation.mismatch', key: 'customer.tier/cus_mismatch' });
      expect(assertEntityEvent(message!.payload, EventTypes.reconciliationMismatch).data).toMatchObject({
        mismatchId: first.mismatches[0]!.id,
        detectedBy: 'sweep',
      });

      expect(await sweep.execute()).toMatchObject({ announced: 0, cleared: 0 });
      await systems.crm.call('updateCustomer', { customerId: 'cus_mismatch', fields: { tier: 'enterprise' } });
      await systems.crm.call('updateCustomer', { customerId: 'cus_northwind', fields: { tier: 'free' } });
      const changed = await sweep.execute();
      expect(changed.mismatches.map((m) => m.entityId)).toEqual(['cus_mismatch', 'cus_northwind']);
      expect(changed.announced).toBe(1);

      await systems.crm.call('updateCustomer', { customerId: 'cus_northwind', fields: { tier: 'pro' } });
      expect(await sweep.execute()).toMatchObject({ cleared: 1 });
      expect(ledger.audits.at(-1)).toMatchObject({
        actor: 'system:reconciliation',
        action: 'reconciliation.clear',
        after: { status: 'cleared' },
      });
      expect(ledger.emitted).toHaveLength(2);
    });

    it('fails without recording anything when a source cannot be read', async () => {
      systems.billing.faults.set({ down: true });
      await expect(sweep.execute()).rejects.toThrow(ReconciliationException);
      expect(mismatches.rows).toEqual([]);
    });
  });

  describe(ResolveMismatchUseCase.name, () => {
    const command = (mismatchId: string) => ({ mismatchId, actor: 'person:operator@baton.example', reason: 'billing is right' });

    it('writes the current truth to the copy with a key from the mismatch, then records and audits the resolution', async () => {
      const [open] = (await sweep.execute()).mismatches;

      const resolved = await sut.execute(command(open!.id));

      expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'person:operator@baton.example' });
      expect(await systems.crm.call('getCustomer', { customerId: 'cus_mismatch' })).toMatchObject({ tier: 'pro' });
      expect(ledger.audits.map((a) => a.action)).toEqual(['crm.updateCustomer', 'reconciliation.resolve']);
      expect(ledger.audits[0]).toMatchObject({
        actor: 'person:operator@baton.example',
        targetType: 'crm',
        targetId: 'cus_mismatch',
        before: { tier: 'enterprise' },
        reason: { idempotencyKey: `reconcile:${open!.id}:crm.tier` },
      });
      // A retried write-back under the same key changes nothing more.
      await systems.crm.call(
        'updateCustomer',
        { customerId: 'cus_mismatch', fields: { tier: 'pro' } },
        { idempotencyKey: `reconcile:${open!.id}:crm.tier` },
      );
      expect(systems.crm.effects().updateCustomer).toBe(1);
    });

    it('refuses an unknown or already ended mismatch, and says when a source is down', async () => {
      await expect(sut.execute(command('00000000-0000-4000-8000-000000000099'))).rejects.toMatchObject({
        code: ReconciliationErrorCode.MismatchNotFound,
        disposition: 'not_found',
      });
      const [open] = (await sweep.execute()).mismatches;

      systems.crm.faults.set({ down: true });
      await expect(sut.execute(command(open!.id))).rejects.toMatchObject({
        code: ReconciliationErrorCode.SourceUnavailable,
        disposition: 'retry',
      });
      systems.crm.faults.clear();

      await sut.execute(command(open!.id));
      await expect(sut.execute(command(open!.id))).rejects.toMatchObject({
        code: ReconciliationErrorCode.MismatchNotOpen,
        disposition: 'conflict',
      });
    });

    it('writes nothing when the copy already agrees with the truth, and still records the resolution', async () => {
      const [open] = (await sweep.execute()).mismatches;
      await systems.crm.call('updateCustomer', { customerId: 'cus_mismatch', fields: { tier: 'pro' } });

      expect(await sut.execute(command(open!.id))).toMatchObject({ status: 'resolved', resolution: { writes: [] } });
      expect(ledger.audits.map((a) => a.action)).toEqual(['reconciliation.resolve']);
    });
  });
});
