import { ConnectorRegistry } from '@baton/connectors';
import { errorMessage } from '@baton/platform-errors';
import { RunSpanAttributes, withSpan } from '@baton/platform-observability';
import { RUNTIME_OPTIONS, WorkflowCatalog, type RuntimeOptions } from '@baton/platform-runtime';
import type { CompiledWorkflow } from '@baton/workflow';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { StartRunUseCase } from '../start-run/start-run.use-case';

export interface ScanResult {
  workflowId: string;
  scanned: number;
  matched: number;
  started: string[];
}

/** The last scan of a schedule in this process, for the trigger sources view. */
export interface ScanState {
  at: string;
  result?: ScanResult;
  error?: string;
}

/**
 * Time-threshold triggers: every `every`, lists candidate records from the workflow's source
 * connector (`scan`), keeps those for which `condition` holds, and starts one run per record
 * and threshold crossing.
 *
 * The dedupe key is `<workflow id>:<record id>:<crossing>`, the crossing being the value of the
 * workflow's `crossingKey` for the record (an invoice's due date), or nothing when it has none
 * (the record fires once ever). The key is a function of the data alone, so a rescan, a restart
 * or two replicas scanning at once all compute the same key and the trigger receipt's unique
 * key lets exactly one of them start the run; a record on a new crossing (paid, then overdue
 * again on a new due date) has a new key and fires again. The workflow version is not part of
 * the key: deploying a new version must not remind everyone a second time.
 */
@Injectable()
export class ScheduledScanService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduledScanService.name);
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly lastScans = new Map<string, ScanState>();

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly connectors: ConnectorRegistry,
    private readonly startRun: StartRunUseCase,
    @Inject(RUNTIME_OPTIONS) private readonly options: RuntimeOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.schedules === false) return;
    for (const workflow of this.scheduled()) {
      const tick = () =>
        void this.scan(workflow.id).catch((error) => this.logger.error(`scan of ${workflow.id} failed: ${errorMessage(error)}`));
      const timer = setInterval(tick, workflow.trigger.everyMs!);
      timer.unref();
      this.timers.push(timer);
      setImmediate(tick);
    }
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  scheduled(): CompiledWorkflow[] {
    return this.catalog.list().filter((w) => w.trigger.type === 'schedule' && w.trigger.scan && w.trigger.everyMs);
  }

  /** The last scan of a workflow in this process, if any. */
  lastScan(workflowId: string): ScanState | undefined {
    return this.lastScans.get(workflowId);
  }

  async scan(workflowId: string): Promise<ScanResult> {
    const at = new Date().toISOString();
    try {
      // A trace of its own: the scan's connector call, and a link from each run it starts.
      const result = await withSpan('schedule.scan', { [RunSpanAttributes.workflowId]: workflowId }, async (span) => {
        const scanned = await this.scanOnce(workflowId);
        span.setAttributes({
          'baton.scan.scanned': scanned.scanned,
          'baton.scan.matched': scanned.matched,
          'baton.scan.started': scanned.started.length,
        });
        return scanned;
      });
      this.lastScans.set(workflowId, { at, result });
      return result;
    } catch (error) {
      this.lastScans.set(workflowId, { at, error: errorMessage(error) });
      throw error;
    }
  }

  private async scanOnce(workflowId: string): Promise<ScanResult> {
    const workflow = this.catalog.get(workflowId);
    if (!workflow?.trigger.scan) throw new Error(`workflow ${workflowId} has no schedule trigger`);
    const records = await this.connectors.get(workflow.trigger.source).call(workflow.trigger.scan, {});
    if (!Array.isArray(records)) throw new Error(`${workflow.trigger.source}.${workflow.trigger.scan} did not return a list`);
    const result: ScanResult = { workflowId, scanned: records.length, matched: 0, started: [] };
    for (const record of records as Array<Record<string, unknown>>) {
      if (workflow.trigger.condition && !workflow.trigger.condition.evaluateBoolean({ record, trigger: record })) continue;
      result.matched++;
      const orgId = typeof record['orgId'] === 'string' ? record['orgId'] : undefined;
      const identity = recordIdentity(record);
      if (!orgId || !identity) {
        this.logger.warn({ workflowId, record }, 'scanned record has no orgId or id; skipped');
        continue;
      }
      const crossing = crossingOf(workflow, record);
      if (typeof crossing === 'object') {
        this.logger.warn(
          { workflowId, record: identity, crossingKey: workflow.trigger.crossingKey?.source, problem: crossing.problem },
          'no crossing for the record; skipped',
        );
        continue;
      }
      const started = await this.startRun.execute({
        workflowId,
        orgId,
        payload: record,
        source: { kind: 'schedule', name: scheduleSourceName(workflow) },
        dedupeKey: [workflow.id, identity, ...(crossing === undefined ? [] : [crossing])].join(':'),
      });
      if (!started.duplicate) result.started.push(started.runId);
    }
    this.logger.log({ ...result, started: result.started.length }, 'scheduled scan finished');
    return result;
  }
}

/** How a schedule trigger names itself on runs and receipts: `<connector>.<scan operation>`. */
export function scheduleSourceName(workflow: CompiledWorkflow): string {
  return `${workflow.trigger.source}.${workflow.trigger.scan}`;
}

/**
 * The record's crossing as text, undefined when the workflow has no crossing key, or why the key
 * gave nothing usable: such a record cannot be told apart from its other crossings, so it is
 * skipped rather than fired once for all of them.
 */
function crossingOf(workflow: CompiledWorkflow, record: Record<string, unknown>): string | undefined | { problem: string } {
  const key = workflow.trigger.crossingKey;
  if (!key) return undefined;
  let value: unknown;
  try {
    value = key.evaluate({ record, trigger: record });
  } catch (error) {
    return { problem: errorMessage(error) };
  }
  if (value === null || value === undefined || value === '') return { problem: `crossing key gave ${JSON.stringify(value ?? null)}` };
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function recordIdentity(record: Record<string, unknown>): string | null {
  for (const key of ['id', 'invoiceId', 'recordId']) {
    if (typeof record[key] === 'string' && record[key]) return record[key] as string;
  }
  return null;
}
