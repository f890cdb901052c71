import { errorMessage } from '@baton/platform-errors';
import type { Logger } from '@nestjs/common';
import type { Admin } from 'kafkajs';
import type { KafkaTopics } from './kafka.topics';

/** A partition's end offsets, as ListOffsets answers. */
export interface PartitionEnds {
  partition: number;
  low: string;
  high: string;
}

/**
 * How many records of a topic a group has yet to commit: per partition, its high watermark minus
 * the group's committed offset. A partition the group has never committed (no offset, or -1)
 * counts from its low watermark when new groups start from the beginning, else as caught up.
 */
export function lagOf(
  committed: ReadonlyArray<{ partition: number; offset: string }>,
  ends: readonly PartitionEnds[],
  fromBeginning: boolean,
): bigint {
  const offsets = new Map(committed.map((p) => [p.partition, p.offset]));
  let lag = 0n;
  for (const { partition, high, low } of ends) {
    const offset = offsets.get(partition);
    const from = offset !== undefined && offset !== '-1' ? BigInt(offset) : fromBeginning ? BigInt(low) : BigInt(high);
    if (BigInt(high) > from) lag += BigInt(high) - from;
  }
  return lag;
}

/**
 * Consumer lag from the broker: the group's committed offsets (admin OffsetFetch) against each
 * partition's high watermark (ListOffsets), summed over the topics.
 */
export class KafkaLag {
  constructor(
    private readonly admin: Admin,
    private readonly topics: KafkaTopics,
    private readonly connect: () => Promise<void>,
    private readonly fromBeginning: boolean,
    private readonly logger: Logger,
  ) {}

  /** Any error (broker unreachable, topic missing) reads as null rather than a guess. */
  async of(groupId: string, names: string[]): Promise<number | null> {
    if (names.length === 0) return 0;
    try {
      await this.connect();
      // Offsets of a topic that does not exist would be retried for many seconds (and keep
      // retrying past stop()); a topic not created or seen here is looked up once instead.
      if (!(await this.topics.exist(names))) return null;
      const [committed, ends] = await Promise.all([
        this.admin.fetchOffsets({ groupId, topics: names }),
        Promise.all(names.map((topic) => this.admin.fetchTopicOffsets(topic))),
      ]);
      let lag = 0n;
      names.forEach((topic, i) => {
        lag += lagOf(committed.find((c) => c.topic === topic)?.partitions ?? [], ends[i]!, this.fromBeginning);
      });
      return Number(lag);
    } catch (error) {
      this.logger.debug(`lag of ${groupId} unavailable: ${errorMessage(error)}`);
      return null;
    }
  }
}
