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
export class RunStateCache implements KnownRunStates {
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

/** Where a reader finds a run's state before asking the database. */
export interface KnownRunStates {
  get(runId: string): CurrentRunState | undefined;
}

/**
 * States this process read from the database a moment ago, outside any transaction, each handed
 * once to the next group that reads the same run (PostgreSQL, where other processes write too). A
 * stage reads a run's state when the run's event arrives (`RunLedger.current`) and again, a few
 * milliseconds later, when its group commits: the second read takes the first's answer instead of
 * a round trip. Nothing is lost by a stale answer: a transition's number is the state's plus one
 * and unique per run, so a group built on a state another process moved past meanwhile conflicts,
 * and the work that conflicted runs again alone, reading afresh (an answer is handed out once).
 * Answers older than `ttlMs`, and runs this process has since committed, are not handed out.
 */
export class RecentRunStates implements KnownRunStates {
  private readonly states = new Map<string, { state: CurrentRunState; at: number }>();

  constructor(
    private readonly ttlMs = 2000,
    private readonly capacity = 10_000,
  ) {}

  remember(state: CurrentRunState): void {
    this.states.delete(state.runId);
    this.states.set(state.runId, { state, at: performance.now() });
    while (this.states.size > this.capacity) this.states.delete(this.states.keys().next().value!);
  }

  /** The answer read for the run, once; undefined when there is none, or none recent enough. */
  get(runId: string): CurrentRunState | undefined {
    const kept = this.states.get(runId);
    if (!kept) return undefined;
    this.states.delete(runId);
    return performance.now() - kept.at <= this.ttlMs ? kept.state : undefined;
  }

  /** Runs this process committed: what was read of them before is outdated. */
  forget(runIds: Iterable<string>): void {
    for (const runId of runIds) this.states.delete(runId);
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
    private readonly cache?: KnownRunStates,
    /** Where states read from the database are also recorded, for the group that reads them next. */
    private readonly recent?: RecentRunStates,
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
        if (state) this.recent?.remember(state);
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
