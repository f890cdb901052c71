import { ConnectorRegistry } from '@baton/connectors';
import { errorMessage } from '@baton/platform-errors';
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

/**
 * Time-threshold triggers: every `every`, lists candidate records from the workflow's source
 * connector (`scan`), keeps those for which `condition` holds, and starts one run per record.
 * The record's identity is the run's dedupe key, so a record already acted on does not start
 * a second run on the next scan or after a restart.
 */
@Injectable()
export class ScheduledScanService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ScheduledScanService.name);
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly connectors: ConnectorRegistry,
    private readonly startRun: StartRunUseCase,
    @Inject(RUNTIME_OPTIONS) private readonly options: RuntimeOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.schedules === false) return;
    for (const workflow of this.scheduled()) {
      const tick = () => void this.scan(workflow.id).catch((error) => this.logger.error(`scan of ${workflow.id} failed: ${errorMessage(error)}`));
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

  async scan(workflowId: string): Promise<ScanResult> {
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
      const started = await this.startRun.execute({
        workflowId,
        orgId,
        payload: record,
        source: { kind: 'schedule', name: `${workflow.trigger.source}.${workflow.trigger.scan}` },
        dedupeKey: `${workflow.ref}:${identity}`,
      });
      if (!started.duplicate) result.started.push(started.runId);
    }
    this.logger.log({ ...result, started: result.started.length }, 'scheduled scan finished');
    return result;
  }
}

function recordIdentity(record: Record<string, unknown>): string | null {
  for (const key of ['id', 'invoiceId', 'recordId']) {
    if (typeof record[key] === 'string' && record[key]) return record[key] as string;
  }
  return null;
}
