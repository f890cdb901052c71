import { Headers, recordChangeTopic } from '@baton/contracts';
import { RunLedger } from '@baton/platform-database';
import { errorMessage, isRetriable } from '@baton/platform-errors';
import { decodeJson, MessageBus, type ConsumeOutcome, type DeliveredMessage } from '@baton/platform-messaging';
import { BatonMetrics, withConsumerSpan } from '@baton/platform-observability';
import { WorkflowCatalog } from '@baton/platform-runtime';
import type { CompiledWorkflow } from '@baton/workflow';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { IngestionErrorCode, IngestionException } from '../ingestion.exception';
import { StartRunUseCase } from '../start-run/start-run.use-case';
import {
  changedOf,
  orgOf,
  parseDebeziumChange,
  payloadOf,
  positionOf,
  tableMatches,
  type DebeziumChange,
  type RecordChangePayload,
} from './debezium-change.util';

/** Consumer group of one change-event topic: one per topic, so each source's lag is its own. */
export function recordChangeGroup(topic: string): string {
  return `baton-ingestion-record-change.${topic}`;
}

/** What happened to changes of one topic in this process, for the trigger sources view. */
export interface RecordChangeStats {
  received: number;
  started: number;
  duplicates: number;
  filtered: number;
  failed: number;
  /** When the last change was committed at its source, and when it was processed here. */
  lastChangeAt: string | null;
  lastProcessedAt: string | null;
  /** Commit to processing of the last change, in seconds. */
  lastLagSeconds: number | null;
}

type Verdict = { start: true; orgId: string; payload: RecordChangePayload } | { start: false; why: string; failed?: boolean };

/**
 * Record-change triggers: reads Debezium change events from the topics the loaded record_change
 * workflows name, and starts a run of each workflow the change matches — its table, one of its
 * `fields` changed, and its `when` holds. The change's log position (or, lacking one, the
 * message's) is the run's dedupe key, so a change delivered twice starts one run. Tombstones and
 * snapshot reads start nothing; a change a workflow cannot be started from (no organisation on
 * the row, a `when` that fails on it) is dead-lettered with the reason once the other workflows
 * had their turn.
 */
@Injectable()
export class RecordChangeConsumer implements OnModuleInit {
  private readonly logger = new Logger(RecordChangeConsumer.name);
  private readonly stats = new Map<string, RecordChangeStats>();
  private readonly changes: Counter<'source' | 'outcome'>;

  constructor(
    private readonly bus: MessageBus,
    private readonly catalog: WorkflowCatalog,
    private readonly startRun: StartRunUseCase,
    private readonly ledger: RunLedger,
    private readonly metrics: BatonMetrics,
  ) {
    this.changes = new Counter({
      name: 'baton_record_changes_total',
      help: 'Change events read by record-change triggers, by topic and outcome (started, duplicate, filtered, failed).',
      labelNames: ['source', 'outcome'],
      registers: [metrics.registry],
    });
  }

  /** Change-event topics of the loaded workflows, with the workflows each one triggers. */
  topics(): Map<string, CompiledWorkflow[]> {
    const topics = new Map<string, CompiledWorkflow[]>();
    for (const workflow of this.catalog.list()) {
      if (workflow.trigger.type !== 'record_change') continue;
      const topic = recordChangeTopic(workflow.trigger.source);
      topics.set(topic, [...(topics.get(topic) ?? []), workflow]);
    }
    return topics;
  }

  statsOf(topic: string): RecordChangeStats {
    let stats = this.stats.get(topic);
    if (!stats) {
      stats = {
        received: 0,
        started: 0,
        duplicates: 0,
        filtered: 0,
        failed: 0,
        lastChangeAt: null,
        lastProcessedAt: null,
        lastLagSeconds: null,
      };
      this.stats.set(topic, stats);
    }
    return stats;
  }

  onModuleInit(): void {
    for (const topic of this.topics().keys()) {
      const groupId = recordChangeGroup(topic);
      this.bus.subscribe({ groupId, topics: [topic], handle: (message) => this.handle(message) });
      this.metrics.watchConsumerLag(groupId, () => this.bus.lag(groupId));
    }
  }

  async handle(message: DeliveredMessage): Promise<ConsumeOutcome> {
    return withConsumerSpan(message.headers, `${message.topic} process`, { 'messaging.destination.name': message.topic }, async () => {
      const outcome = await this.process(message).catch((error: unknown) => {
        if (!isRetriable(error)) this.count(message.topic, 'failed');
        throw error;
      });
      this.count(message.topic, outcome);
      return outcome === 'started' ? 'processed' : 'skipped';
    });
  }

  private async process(message: DeliveredMessage): Promise<'started' | 'duplicate' | 'filtered'> {
    const stats = this.statsOf(message.topic);
    stats.received++;
    // A delete is followed by a tombstone (a null value) for log compaction: not a change.
    if (message.value.length === 0) return 'filtered';
    const change = parseDebeziumChange(decodeJson(message.value, message.topic));
    this.observe(stats, change);
    // A snapshot read describes a row as it already was: nothing changed.
    if (change.op === 'r') return 'filtered';

    const position = positionOf(change, message.key, {
      topic: message.topic,
      partition: message.headers[Headers.originalPartition] ?? message.partition,
      offset: message.headers[Headers.originalOffset] ?? message.offset,
    });
    const failures: string[] = [];
    let outcome: 'started' | 'duplicate' | 'filtered' = 'filtered';
    for (const workflow of this.topics().get(message.topic) ?? []) {
      const verdict = await this.verdict(workflow, change, message.key);
      if (!verdict.start) {
        if (verdict.failed) failures.push(`${workflow.id}: ${verdict.why}`);
        else this.logger.debug({ topic: message.topic, workflowId: workflow.id, why: verdict.why }, 'change does not trigger the workflow');
        continue;
      }
      try {
        const result = await this.startRun.execute({
          workflowId: workflow.id,
          orgId: verdict.orgId,
          payload: verdict.payload,
          source: { kind: 'record_change', name: workflow.trigger.source },
          dedupeKey: `${workflow.id}:${position}`,
        });
        outcome = !result.duplicate ? 'started' : outcome === 'started' ? outcome : 'duplicate';
        this.logger.log(
          { topic: message.topic, workflowId: workflow.id, runId: result.runId, duplicate: result.duplicate },
          'record change accepted',
        );
      } catch (error) {
        // A redelivery re-checks every workflow; those already started find their receipt.
        if (isRetriable(error)) throw error;
        failures.push(`${workflow.id}: ${errorMessage(error)}`);
      }
    }
    if (failures.length) {
      throw new IngestionException(
        IngestionErrorCode.InvalidTrigger,
        `change of ${change.source.table} cannot start ${failures.join('; ')}`,
        { failures },
        'reject',
      );
    }
    return outcome;
  }

  /** Whether the change starts the workflow, and if not, why (a failure is dead-lettered). */
  private async verdict(workflow: CompiledWorkflow, change: DebeziumChange, key: string): Promise<Verdict> {
    const { table, fields, when } = workflow.trigger;
    if (!table || !tableMatches(table, change)) return { start: false, why: `table ${change.source.table} is not ${table}` };
    if (fields && changedOf(change, fields).length === 0) return { start: false, why: `none of ${fields.join(', ')} changed` };
    const causedBy = change.source['baton_run_id'];
    if (typeof causedBy === 'string' && (await this.ledger.current(causedBy))?.workflowId === workflow.id) {
      return { start: false, why: `written by run ${causedBy} of this workflow` };
    }
    const orgId = orgOf(change);
    if (!orgId) return { start: false, failed: true, why: 'the changed row names no organisation (orgId)' };
    const payload = payloadOf(change, key);
    if (when) {
      const org = this.catalog.organisation(orgId);
      if (!org) return { start: false, failed: true, why: `${JSON.stringify(orgId)} is not a known organisation` };
      try {
        if (!when.evaluateBoolean({ trigger: payload, org: { id: orgId, ...org } })) return { start: false, why: `trigger.when is false` };
      } catch (error) {
        return { start: false, failed: true, why: errorMessage(error) };
      }
    }
    return { start: true, orgId, payload };
  }

  private observe(stats: RecordChangeStats, change: DebeziumChange): void {
    const now = Date.now();
    const committed = typeof change.source['ts_ms'] === 'number' ? change.source['ts_ms'] : change.tsMs;
    stats.lastProcessedAt = new Date(now).toISOString();
    if (committed !== undefined) {
      stats.lastChangeAt = new Date(committed).toISOString();
      stats.lastLagSeconds = Math.max(0, (now - committed) / 1000);
    }
  }

  private count(topic: string, outcome: 'started' | 'duplicate' | 'filtered' | 'failed'): void {
    const stats = this.statsOf(topic);
    if (outcome === 'started') stats.started++;
    else if (outcome === 'duplicate') stats.duplicates++;
    else if (outcome === 'filtered') stats.filtered++;
    else stats.failed++;
    this.changes.inc({ source: topic, outcome });
    this.metrics.eventsConsumed.inc({
      topic,
      group: recordChangeGroup(topic),
      outcome: outcome === 'started' ? 'processed' : outcome === 'failed' ? 'failed' : 'skipped',
    });
  }
}
