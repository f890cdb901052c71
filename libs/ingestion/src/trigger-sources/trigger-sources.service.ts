import { ingressTopic, recordChangeTopic } from '@baton/contracts';
import { MessageBus } from '@baton/platform-messaging';
import { WorkflowCatalog } from '@baton/platform-runtime';
import type { CompiledWorkflow } from '@baton/workflow';
import { Injectable } from '@nestjs/common';
import { INGRESS_CONSUMER } from '../ingress/ingress.consumer';
import { recordChangeGroup, RecordChangeConsumer, type RecordChangeStats } from '../record-changes/record-change.consumer';
import { scheduleSourceName, ScheduledScanService, type ScanState } from '../schedules/scheduled-scan.service';
import { WebhookInboxRepository } from '../webhooks/webhook-inbox.repository';
import { TriggerActivityRepository } from './trigger-activity.repository';

export type TriggerKind = 'webhook' | 'ingress' | 'record_change' | 'schedule';

/** One source of triggers: what it starts, how much waits, how late it runs, when it last fired. */
export interface TriggerSourceView {
  kind: TriggerKind;
  source: string;
  workflows: string[];
  /** Ingress and record-change sources: the topic read, and the consumer group reading it. */
  topic?: string;
  consumerGroup?: string;
  /** Webhooks stored but not dispatched, or messages on the source's topic not yet consumed; null when the bus cannot tell. */
  depth: number | null;
  /**
   * Processing lag: age of the oldest waiting webhook, or the commit-to-processing time of the
   * last change read; null where there is no such figure.
   */
  lagSeconds: number | null;
  /** The latest run this source started (from the run history, so it survives restarts). */
  lastFiredAt: string | null;
  /** Record-change sources: the tables watched and what this process read since it started. */
  tables?: string[];
  changes?: RecordChangeStats;
  /** Schedule sources: how often they scan and the last scan in this process. */
  every?: string;
  lastScan?: ScanState | null;
}

/**
 * Every trigger source of the loaded workflows — webhooks, ingress topics, change-event topics,
 * schedules — with its queue depth, processing lag and last firing, for the admin API and the
 * metrics. Depth of topics is the consuming group's lag on that topic, as the bus reports it.
 */
@Injectable()
export class TriggerSourcesService {
  constructor(
    private readonly catalog: WorkflowCatalog,
    private readonly bus: MessageBus,
    private readonly inbox: WebhookInboxRepository,
    private readonly changes: RecordChangeConsumer,
    private readonly scans: ScheduledScanService,
    private readonly activity: TriggerActivityRepository,
  ) {}

  /** `lastFired: false` skips the run-history look-ups (the metrics scrape needs only depth and lag). */
  async list(options: { lastFired?: boolean } = {}): Promise<TriggerSourceView[]> {
    const lastFired = (kind: string, source: string, workflowIds: string[]) =>
      options.lastFired === false ? Promise.resolve(null) : this.activity.lastFired(kind, source, workflowIds);
    const workflows = this.catalog.list();
    const pending = await this.inbox.pendingBySource();
    const views: TriggerSourceView[] = [];

    for (const [source, triggered] of bySource(workflows.filter((w) => w.trigger.type === 'webhook'))) {
      const p = pending.find((x) => x.source === source);
      views.push({
        kind: 'webhook',
        source,
        workflows: ids(triggered),
        depth: p?.pending ?? 0,
        lagSeconds: p?.oldestPendingAgeSeconds ?? 0,
        lastFiredAt: await lastFired('webhook', source, ids(triggered)),
      });
    }
    // Every webhook and event source also has an ingress topic (IngressConsumer reads them all in one group).
    for (const [source, triggered] of bySource(workflows.filter((w) => w.trigger.type === 'webhook' || w.trigger.type === 'event'))) {
      const topic = ingressTopic(source);
      views.push({
        kind: 'ingress',
        source,
        workflows: ids(triggered),
        topic,
        consumerGroup: INGRESS_CONSUMER,
        depth: await this.bus.lag(INGRESS_CONSUMER, [topic]),
        lagSeconds: null,
        lastFiredAt: await lastFired('event', source, ids(triggered)),
      });
    }
    for (const [source, triggered] of bySource(workflows.filter((w) => w.trigger.type === 'record_change'))) {
      const topic = recordChangeTopic(source);
      const stats = this.changes.statsOf(topic);
      views.push({
        kind: 'record_change',
        source,
        workflows: ids(triggered),
        topic,
        consumerGroup: recordChangeGroup(topic),
        tables: [...new Set(triggered.map((w) => w.trigger.table ?? ''))].sort(),
        depth: await this.bus.lag(recordChangeGroup(topic), [topic]),
        lagSeconds: stats.lastLagSeconds,
        lastFiredAt: await lastFired('record_change', source, ids(triggered)),
        changes: { ...stats },
      });
    }
    for (const workflow of workflows.filter((w) => w.trigger.type === 'schedule' && w.trigger.scan)) {
      const source = scheduleSourceName(workflow);
      views.push({
        kind: 'schedule',
        source,
        workflows: [workflow.id],
        depth: null,
        lagSeconds: null,
        lastFiredAt: await lastFired('schedule', source, [workflow.id]),
        ...(workflow.trigger.every ? { every: workflow.trigger.every } : {}),
        lastScan: this.scans.lastScan(workflow.id) ?? null,
      });
    }
    return views;
  }
}

function bySource(workflows: CompiledWorkflow[]): Map<string, CompiledWorkflow[]> {
  const grouped = new Map<string, CompiledWorkflow[]>();
  for (const workflow of [...workflows].sort((a, b) => a.trigger.source.localeCompare(b.trigger.source) || a.id.localeCompare(b.id))) {
    grouped.set(workflow.trigger.source, [...(grouped.get(workflow.trigger.source) ?? []), workflow]);
  }
  return grouped;
}

function ids(workflows: CompiledWorkflow[]): string[] {
  return workflows.map((w) => w.id);
}
