import { outsideAnyTrace } from '@baton/platform-observability';
import type { RunState } from '@baton/contracts';
import type { EntityManager } from 'typeorm';

export interface CurrentRunState {
  runId: string;
  state: RunState;
  seq: number;
  workflowId: string;
  workflowVersion: number;
  orgId: string;
}

/**
 * The current state of recently moved runs, for a database only this process writes (the
 * embedded one): kept after every commit, so reading a run's state needs no query. Bounded; the
 * oldest entries are dropped first and read again from the database when needed.
 */
export class RunStateCache {
  private readonly states = new Map<string, CurrentRunState>();

  constructor(private readonly capacity = 200_000) {}

  get(runId: string): CurrentRunState | undefined {
    return this.states.get(runId);
  }

  /**
   * Called with the states a transaction committed. A run's transition numbers only grow, so a
   * state older than the one kept is not taken: a group that reports its commits late (its first
   * transaction committed, its second still running) does not undo what another committed meanwhile.
   */
  committed(states: Iterable<CurrentRunState>): void {
    for (const state of states) {
      const kept = this.states.get(state.runId);
      if (kept && kept.seq > state.seq) continue;
      this.states.delete(state.runId);
      this.states.set(state.runId, state);
    }
    while (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value!);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Waiter {
  resolve: (state: CurrentRunState | null) => void;
  reject: (error: unknown) => void;
}

/**
 * Reads the current state of runs from `baton.run_head`. Reads asked for in the same turn of the
 * event loop share one query (`run_id = ANY(...)`), so a batch of messages costs one round trip
 * however many runs it holds. With `remember`, as inside one transaction, a state once read or
 * set is kept: a transition buffered by one unit of work is what the next one sees.
 */
export class RunStateReader {
  private readonly known = new Map<string, CurrentRunState | null>();
  private waiting = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly db: EntityManager,
    private readonly remember: boolean,
    private readonly cache?: RunStateCache,
  ) {}

  get(runId: string): Promise<CurrentRunState | null> {
    if (this.remember && this.known.has(runId)) return Promise.resolve(this.known.get(runId) ?? null);
    const cached = this.cache?.get(runId);
    if (cached) {
      if (this.remember) this.known.set(runId, cached);
      return Promise.resolve(cached);
    }
    // Not a run id the table could hold: no run, and no query that would fail on the cast.
    if (!UUID.test(runId)) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(runId);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(runId, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        // Read for many runs at once: part of no one run's trace.
        setImmediate(() => void outsideAnyTrace(() => this.load()));
      }
    });
  }

  set(state: CurrentRunState): void {
    if (this.remember) this.known.set(state.runId, state);
  }

  /** A run whose id was minted just now: it has no state, and nobody need be asked. */
  assumeNew(runId: string): void {
    if (!this.remember) throw new Error('assumeNew needs a reader that remembers (one per transaction)');
    if (!this.known.has(runId)) this.known.set(runId, null);
  }

  private async load(): Promise<void> {
    this.scheduled = false;
    const batch = this.waiting;
    this.waiting = new Map();
    const ids = [...batch.keys()];
    try {
      const rows: Array<{ run_id: string; seq: number; state: RunState; workflow_id: string; workflow_version: number; org_id: string }> =
        await this.db.query(
          `SELECT run_id, seq, state, workflow_id, workflow_version, org_id FROM baton.run_head WHERE run_id = ANY($1::uuid[])`,
          [ids],
        );
      const byId = new Map(rows.map((r) => [String(r.run_id).toLowerCase(), r]));
      for (const [runId, waiters] of batch) {
        const row = byId.get(runId.toLowerCase());
        const state: CurrentRunState | null = row
          ? {
              runId,
              state: row.state,
              seq: Number(row.seq),
              workflowId: row.workflow_id,
              workflowVersion: Number(row.workflow_version),
              orgId: row.org_id,
            }
          : null;
        // A state set while the read was under way is newer than what the read returned.
        if (this.remember && !this.known.has(runId)) this.known.set(runId, state);
        const seen = this.remember ? (this.known.get(runId) ?? null) : state;
        for (const w of waiters) w.resolve(seen);
      }
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    }
  }
}
