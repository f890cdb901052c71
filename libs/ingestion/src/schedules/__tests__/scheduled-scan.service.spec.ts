import { resolve } from 'node:path';
import { ConnectorRegistry, type Connector } from '@baton/connectors';
import { WorkflowCatalog, type RuntimeOptions } from '@baton/platform-runtime';
import type { StartRunCommand, StartRunUseCase } from '../../start-run/start-run.use-case';
import { ScheduledScanService } from '../scheduled-scan.service';

const WORKFLOWS = resolve(__dirname, '../../../../../workflows');

interface Receivable {
  invoiceId: string;
  orgId: string;
  customerId: string;
  dueAt: string;
  daysOverdue: number;
}

describe(ScheduledScanService.name, () => {
  let receivables: Receivable[];
  let receipts: Map<string, string>;
  let commands: StartRunCommand[];
  let sut: ScheduledScanService;

  beforeEach(() => {
    receivables = [];
    receipts = new Map();
    commands = [];
    const billing: Connector = {
      name: 'billing',
      operations: [{ name: 'listReceivables', kind: 'read', description: 'Open invoices with their age.' }],
      call: async () => structuredClone(receivables),
    };
    const connectors = new ConnectorRegistry();
    connectors.register(billing);
    // The trigger receipt's unique (source, dedupe key), as StartRunUseCase enforces it in the database.
    const startRun = {
      execute: async (command: StartRunCommand) => {
        commands.push(command);
        const key = `${command.source.name}|${command.dedupeKey}`;
        const existing = receipts.get(key);
        if (existing) return { runId: existing, duplicate: true };
        const runId = `run-${receipts.size + 1}`;
        receipts.set(key, runId);
        return { runId, duplicate: false };
      },
    } as unknown as StartRunUseCase;
    sut = new ScheduledScanService(new WorkflowCatalog(WORKFLOWS), connectors, startRun, { schedules: false } as RuntimeOptions);
  });

  const invoice = (invoiceId: string, dueAt: string, daysOverdue: number): Receivable => ({
    invoiceId,
    orgId: 'acme',
    customerId: 'cus_northwind',
    dueAt,
    daysOverdue,
  });

  it('keys each run by workflow, record and crossing (the due date), not by workflow version', async () => {
    receivables = [invoice('inv_1', '2025-01-01T00:00:00.000Z', 31), invoice('inv_2', '2025-02-01T00:00:00.000Z', 3)];

    expect(await sut.scan('invoice-aging')).toMatchObject({ scanned: 2, matched: 1, started: ['run-1'] });
    expect(commands[0]).toMatchObject({
      workflowId: 'invoice-aging',
      orgId: 'acme',
      source: { kind: 'schedule', name: 'billing.listReceivables' },
      dedupeKey: 'invoice-aging:inv_1:2025-01-01T00:00:00.000Z',
    });
    expect(sut.lastScan('invoice-aging')).toMatchObject({ result: { matched: 1, started: ['run-1'] } });
  });

  it('fires once per crossing: rescans find the receipt, a paid invoice overdue again on a new due date fires again', async () => {
    receivables = [invoice('inv_1', '2025-01-01T00:00:00.000Z', 31)];
    expect((await sut.scan('invoice-aging')).started).toEqual(['run-1']);
    receivables = [invoice('inv_1', '2025-01-01T00:00:00.000Z', 45)];
    expect((await sut.scan('invoice-aging')).started).toEqual([]);

    // Paid: no longer listed. Then re-invoiced on a new due date that passes the threshold too.
    receivables = [];
    expect((await sut.scan('invoice-aging')).started).toEqual([]);
    receivables = [invoice('inv_1', '2025-03-01T00:00:00.000Z', 30)];
    expect((await sut.scan('invoice-aging')).started).toEqual(['run-2']);
    expect((await sut.scan('invoice-aging')).started).toEqual([]);
  });

  it('starts one run when two scans race over the same crossing', async () => {
    receivables = [invoice('inv_1', '2025-01-01T00:00:00.000Z', 31), invoice('inv_2', '2025-01-02T00:00:00.000Z', 30)];

    const [a, b] = await Promise.all([sut.scan('invoice-aging'), sut.scan('invoice-aging')]);

    expect([...a.started, ...b.started].sort()).toEqual(['run-1', 'run-2']);
    expect(receipts.size).toBe(2);
  });

  it('skips a record whose crossing key gives nothing, rather than firing it once for all its crossings', async () => {
    receivables = [{ ...invoice('inv_1', '', 31) }];

    expect(await sut.scan('invoice-aging')).toMatchObject({ matched: 1, started: [] });
    expect(commands).toEqual([]);
  });

  it('records a failed scan for the trigger sources view', async () => {
    await expect(sut.scan('refund-request')).rejects.toThrow('workflow refund-request has no schedule trigger');
    expect(sut.lastScan('refund-request')).toMatchObject({ error: 'workflow refund-request has no schedule trigger' });
  });
});
