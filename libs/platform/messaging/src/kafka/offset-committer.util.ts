/** Offsets to commit, in the shape kafkajs's commitOffsetsIfNecessary takes. */
export interface OffsetsToCommit {
  topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
}

/** Sends one OffsetCommit request (kafkajs: a batch's commitOffsetsIfNecessary with offsets). */
export type CommitRequest = (offsets: OffsetsToCommit) => Promise<void>;

interface PendingPartition {
  topic: string;
  partition: number;
  offset: string;
  via: CommitRequest;
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/**
 * Commits one group's offsets in as few requests as it can, one request at a time. The
 * partitions of a group are processed concurrently, and each committed its chunk with a request
 * of its own: most of the requests the broker served. Calls made while a request is in flight
 * now share the next one, the highest offset per partition; an idle committer sends at once
 * (no added latency). A call resolves when the request carrying its offset succeeded, and
 * rejects with that request's error otherwise; a failed request does not stop the ones after it.
 * Any batch's request function commits any partition of the group (kafkajs's offset manager is
 * the group's), so each request goes through the function of the latest call.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, PendingPartition>();
  private flushing?: Promise<void>;
  /** The latest call's promise: requests go one at a time, in order, so it settles after every call before it. */
  private latest: Promise<void> = Promise.resolve();

  /** Resolves once every call made so far has been answered (succeeded or failed); never rejects. */
  settled(): Promise<void> {
    return this.latest.catch(() => undefined);
  }

  commit(topic: string, partition: number, offset: string, via: CommitRequest): Promise<void> {
    const call = new Promise<void>((resolve, reject) => {
      const key = `${topic}\u0000${partition}`;
      const entry = this.pending.get(key);
      if (entry) {
        // Offsets of one partition only grow; a late call with a lower one adds nothing.
        if (BigInt(offset) > BigInt(entry.offset)) entry.offset = offset;
        entry.via = via;
        entry.waiters.push({ resolve, reject });
      } else {
        this.pending.set(key, { topic, partition, offset, via, waiters: [{ resolve, reject }] });
      }
      this.flushSoon();
    });
    this.latest = call;
    return call;
  }

  private flushSoon(): void {
    if (this.flushing) return;
    this.flushing = (async () => {
      while (this.pending.size > 0) await this.sendNext();
    })().finally(() => {
      this.flushing = undefined;
      if (this.pending.size > 0) this.flushSoon();
    });
  }

  /** Sends everything pending in one request; never throws. */
  private async sendNext(): Promise<void> {
    const entries = [...this.pending.values()];
    this.pending.clear();
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const { topic, partition, offset } of entries) {
      const partitions = byTopic.get(topic) ?? [];
      partitions.push({ partition, offset });
      byTopic.set(topic, partitions);
    }
    const offsets: OffsetsToCommit = { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
    try {
      await entries[entries.length - 1]!.via(offsets);
      for (const entry of entries) for (const waiter of entry.waiters) waiter.resolve();
    } catch (error) {
      for (const entry of entries) for (const waiter of entry.waiters) waiter.reject(error);
    }
  }
}
