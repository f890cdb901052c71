import type { RecordChange } from '@baton/connectors';
import { recordChangeTopic } from '@baton/contracts';
import { errorMessage } from '@baton/platform-errors';
import { encodeJson, MessageBus, type OutgoingMessage } from '@baton/platform-messaging';
import { WorkflowCatalog } from '@baton/platform-runtime';
import { Inject, Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RECORD_CHANGE_FEED, type RecordChangeFeed } from './record-change-feed.types';

/**
 * The embedded default's Debezium: publishes the writes of a change feed (the sample systems)
 * onto `baton.changes.<system>` in Debezium's format, so record-change triggers read them exactly
 * as they read Kafka Connect's topics in the distributed deployment. Only tables a loaded
 * workflow watches are published: a topic nobody reads would only grow.
 *
 * Each change gets a log position (`source.lsn`) that grows across restarts, which is what
 * deduplication keys on; the run that caused a write rides along as `source.baton_run_id`, so a
 * workflow is not triggered by its own writes.
 */
@Injectable()
export class ChangeFeedProducer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ChangeFeedProducer.name);
  private unsubscribe: (() => void) | null = null;
  private lastLsn = 0n;

  constructor(
    private readonly bus: MessageBus,
    private readonly catalog: WorkflowCatalog,
    @Optional() @Inject(RECORD_CHANGE_FEED) private readonly feed?: RecordChangeFeed,
  ) {}

  get attached(): boolean {
    return this.unsubscribe !== null;
  }

  onApplicationBootstrap(): void {
    if (this.feed) this.attach(this.feed);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Starts publishing the feed's changes; the module does it at start when RECORD_CHANGE_FEED is provided. */
  attach(feed: RecordChangeFeed): void {
    if (this.unsubscribe) throw new Error('a change feed is already attached');
    const watched = this.watched();
    if (watched.size === 0) return;
    this.unsubscribe = feed.onChange((change) => {
      const tables = watched.get(change.system);
      if (!tables || !(tables.has(change.table) || tables.has(`${change.system}.${change.table}`))) return;
      // The feed calls listeners synchronously in write order, and publish enqueues before its first
      // await, so the topic keeps the order of the writes.
      this.bus.publish([debeziumMessage(change, this.nextLsn())]).catch((error) => {
        this.logger.error(
          { system: change.system, table: change.table, recordId: change.recordId, error: errorMessage(error) },
          'change not published',
        );
      });
    });
    this.logger.log(
      { watched: Object.fromEntries([...watched].map(([system, tables]) => [system, [...tables]])) },
      'publishing changes of watched tables',
    );
  }

  /** System -> tables, of the record-change workflows that read a bridged system (not a Kafka Connect topic). */
  private watched(): Map<string, Set<string>> {
    const watched = new Map<string, Set<string>>();
    for (const workflow of this.catalog.list()) {
      const { type, source, table } = workflow.trigger;
      if (type !== 'record_change' || !table || recordChangeTopic(source) === source) continue;
      watched.set(source, (watched.get(source) ?? new Set()).add(table));
    }
    return watched;
  }

  /** Microseconds of the wall clock, bumped past the last one: unique and growing across restarts. */
  private nextLsn(): string {
    const now = BigInt(Date.now()) * 1000n;
    this.lastLsn = now > this.lastLsn ? now : this.lastLsn + 1n;
    return this.lastLsn.toString();
  }
}

/** A sample system's write as Kafka Connect's Debezium connector would produce it (JSON converter envelope). */
export function debeziumMessage(change: RecordChange, lsn: string): OutgoingMessage {
  const source = {
    version: 'baton-sample',
    connector: 'baton-sample',
    name: change.system,
    db: change.system,
    table: change.table,
    ts_ms: Date.parse(change.at),
    snapshot: 'false',
    lsn,
    ...(change.runId ? { baton_run_id: change.runId } : {}),
  };
  return {
    topic: recordChangeTopic(change.system),
    // One row, one partition: its changes stay in order.
    key: change.recordId,
    value: encodeJson({ payload: { before: change.before, after: change.after, op: change.op, source, ts_ms: Date.now() } }),
  };
}
