export interface GroupCommitOptions<T> {
  /** Most items written in one call. */
  maxItems: number;
  /** Most total weight (e.g. bytes) written in one call; a single heavier item goes alone. */
  maxWeight: number;
  weigh: (item: T) => number;
}

/**
 * Group commit: items submitted while a write is in flight are written together by the next
 * one, in submission order. Each submitter's promise settles only with the write that carried
 * its item — so "resolved" still means "committed" — and a failed write rejects exactly the
 * items it carried. Under a burst this turns N round trips (N transactions queued on one
 * connection, as with PGlite) into a handful, without delaying a lone item at all.
 */
export class GroupCommit<T, R> {
  private queue: Array<{ item: T; resolve: (result: R) => void; reject: (error: unknown) => void }> = [];
  private writing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: GroupCommitOptions<T>,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        try {
          const results = await this.write(batch.map((b) => b.item));
          if (results.length !== batch.length) throw new Error(`group commit: ${results.length} results for ${batch.length} items`);
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (error) {
          for (const b of batch) b.reject(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private take(): typeof this.queue {
    let weight = 0;
    let count = 0;
    for (const { item } of this.queue) {
      const w = this.options.weigh(item);
      if (count > 0 && (count >= this.options.maxItems || weight + w > this.options.maxWeight)) break;
      weight += w;
      count++;
    }
    return this.queue.splice(0, count);
  }
}
