/**
 * A reading position over an id sequence whose rows become visible out of order: ids are taken
 * when a row is inserted, but rows appear when their transaction commits, so id 11 can be read
 * before id 10. The cursor remembers the ids it skipped ("holes") for a while and asks for them
 * again, so a row that commits late is still delivered, once. Holes left by rolled-back
 * transactions simply expire.
 */
export class IdCursor {
  private readonly holes = new Map<number, number>();

  constructor(
    private after: number,
    private readonly holdMs = 10_000,
    /** A jump larger than this (a sequence that skipped ahead) is not tracked hole by hole. */
    private readonly maxHoles = 1_000,
  ) {}

  /** Highest id delivered. */
  get position(): number {
    return this.after;
  }

  /** Skipped ids still worth asking for. */
  get pending(): number[] {
    return [...this.holes.keys()];
  }

  /**
   * Takes the ids just read (ascending: holes that filled, then new ones) and returns those to
   * deliver: every id not delivered before.
   */
  accept(ids: readonly number[], now: number): number[] {
    const fresh: number[] = [];
    for (const id of ids) {
      if (id <= this.after) {
        if (this.holes.delete(id)) fresh.push(id);
        continue;
      }
      if (id - this.after - 1 <= this.maxHoles) for (let k = this.after + 1; k < id; k++) this.holes.set(k, now);
      this.after = id;
      fresh.push(id);
    }
    for (const [id, since] of this.holes) if (now - since > this.holdMs) this.holes.delete(id);
    return fresh;
  }
}
