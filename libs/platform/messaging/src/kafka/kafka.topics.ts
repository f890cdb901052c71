import type { Logger } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import { retryRetriable } from './broker-retry.util';

export interface KafkaTopicsOptions {
  /** Partitions of the topics created here; existing topics keep theirs. */
  partitions: number;
  replicationFactor?: number;
  /** `retention.ms` of the topics created here; the broker default when unset. */
  retentionMs?: number;
}

/**
 * Topic provisioning: the broker does not auto-create topics, so every topic the bus reads or
 * writes is created here first, with the configured partitions, replication and retention;
 * existing topics are left as they are. A topic is looked up at most once per process (then it
 * is known), and concurrent requests for the same topic share one creation.
 */
export class KafkaTopics {
  private readonly known = new Set<string>();
  private readonly provisioning = new Map<string, Promise<void>>();

  /** `connect` connects the admin client (and whatever the owner connects with it) before the first lookup. */
  constructor(
    private readonly admin: Admin,
    private readonly connect: () => Promise<void>,
    private readonly options: KafkaTopicsOptions,
    private readonly logger: Logger,
  ) {}

  /** Whether this process has created or seen the topic. */
  has(topic: string): boolean {
    return this.known.has(topic);
  }

  /** Creates the topics that do not exist yet; resolves once every one of them exists with a leader per partition. */
  async ensure(names: string[]): Promise<void> {
    const wanted = [...new Set(names)].filter((name) => !this.known.has(name));
    if (wanted.length === 0) return;
    const fresh = wanted.filter((name) => !this.provisioning.has(name));
    if (fresh.length > 0) {
      const created = this.createMissing(fresh).finally(() => fresh.forEach((name) => this.provisioning.delete(name)));
      fresh.forEach((name) => this.provisioning.set(name, created));
    }
    await Promise.all(wanted.map((name) => this.provisioning.get(name)));
  }

  /**
   * Whether all of these topics exist, asking the broker only about those not yet known. Lets a
   * caller avoid requests about a missing topic, which kafkajs retries for many seconds.
   */
  async exist(names: string[]): Promise<boolean> {
    const unseen = names.filter((topic) => !this.known.has(topic));
    if (unseen.length === 0) return true;
    const existing = new Set(await this.admin.listTopics());
    return unseen.every((topic) => existing.has(topic));
  }

  private async createMissing(names: string[]): Promise<void> {
    await this.connect();
    const existing = new Set(await this.admin.listTopics());
    const missing = names.filter((name) => !existing.has(name));
    if (missing.length > 0) {
      const { partitions, replicationFactor, retentionMs } = this.options;
      // Returns false when another process created one of them first: that is fine, and the
      // clients retry the metadata errors of a topic whose leader is not elected yet.
      await retryRetriable(`creating topics ${missing.join(', ')}`, () =>
        this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: partitions,
            replicationFactor: replicationFactor ?? 1,
            configEntries: retentionMs === undefined ? [] : [{ name: 'retention.ms', value: String(retentionMs) }],
          })),
        }),
      );
      // A busy broker answers UNKNOWN_TOPIC_OR_PARTITION for a while after creating a topic, which
      // waitForLeaders does not wait out: wait until every partition has a leader.
      await retryRetriable(`waiting for leaders of ${missing.join(', ')}`, async () => {
        const { topics } = await this.admin.fetchTopicMetadata({ topics: missing });
        const leaderless = topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
        if (leaderless.length)
          throw Object.assign(new Error(`no leader yet for ${leaderless.map((t) => t.name).join(', ')}`), { retriable: true });
      });
      this.logger.log(`created topics ${missing.join(', ')} (${partitions} partitions)`);
    }
    names.forEach((name) => this.known.add(name));
  }
}
