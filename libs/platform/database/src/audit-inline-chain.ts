import type { DataSource } from 'typeorm';
import { auditEntryColumns, type PendingAuditEntry } from './audit-append.util';
import { GENESIS_HASH, linkedTexts } from './audit-chain.util';
import { AUDIT_HEAD_SQL, sealBlockStatement } from './audit-seal-block.util';
import type { EmbeddedSession } from './pglite/pglite-serial.driver';
import { appendRows, type SqlStatement } from './query/sql-statement';

/** Ids taken from the sequence at a time, so most groups need no statement to number their entries. */
const ID_BLOCK = 4096;

/** The code of a seal statement refused because the chain's head was not the one it linked to. */
export const AUDIT_HEAD_MOVED = 'baton_audit_head_moved';

interface Head {
  seq: number;
  hash: string;
}

/**
 * The audit chain of the embedded database as the one process that writes it knows it: the head
 * (last seal) and a block of entry ids reserved from the sequence. With both, a group's entries
 * are numbered, timed, hashed and sealed before its transaction is sent, so the transaction is one
 * message to the database, and the next group's can be sent before this one's answer is back.
 *
 * The head advances when a group is sent, before it commits. The seal statement checks that the
 * chain's head in the database is the one it links to and fails otherwise, so if a group fails,
 * those sent after it and linked to it fail too (they are retried) instead of breaking the chain;
 * a failure forgets the head, and the next group reads it again.
 */
export class InlineAuditChain {
  private head: Head | null = null;
  private nextId = 0;
  private lastId = -1;
  private loading: Promise<void> | null = null;

  constructor(private readonly session: EmbeddedSession) {}

  /** Resolves once `n` ids are reserved and the head is known; then `seal` may be called at once. */
  async prepare(n: number): Promise<void> {
    while (!this.head || this.lastId - this.nextId + 1 < n) {
      this.loading ??= this.load(n).finally(() => {
        this.loading = null;
      });
      await this.loading;
    }
  }

  /**
   * Numbers and links the entries after the head as it stands (call right after `prepare`, in the
   * same turn), advances the head past them, and returns the statements that store them: the
   * entries, then their seals as one block, inserted only if the chain's head is still the one
   * they link to (failing the transaction if it moved meanwhile).
   */
  seal(entries: readonly PendingAuditEntry[], at: Date): SqlStatement[] {
    const head = this.head;
    if (!head || this.lastId - this.nextId + 1 < entries.length) throw new Error('the audit chain is not prepared');
    const stamp = at.toISOString();
    const links = linkedTexts(
      entries.map((entry) => ({ ...entry, id: String(this.nextId++), at: stamp })),
      head.hash,
    );
    this.head = { seq: head.seq + links.length, hash: links.at(-1)?.hash ?? head.hash };
    const block = sealBlockStatement(head.seq, head.hash, links, {
      code: AUDIT_HEAD_MOVED,
      message: `the audit chain's head is no longer seal ${head.seq}: these entries were linked to a head that did not commit`,
    });
    return [
      appendRows(
        'baton.audit_log (id, actor, action, target_type, target_id, before, after, reason, run_id, trace_id, at)',
        ['bigint', 'text', 'text', 'text', 'text', 'jsonb', 'jsonb', 'jsonb', 'uuid', 'text', 'timestamptz'],
        [links.map((l) => l.id), ...auditEntryColumns(links), links.map(() => stamp)],
      ),
      // Their seals, one row, inserted only if the chain's head in the database is still the one
      // they link to: otherwise the statement misses its row and fails the transaction.
      ...(block ? [block] : []),
    ];
  }

  /** The head is no longer known (a group failed, or entries were sealed another way): read it again. */
  forget(): void {
    this.head = null;
  }

  private async load(n: number): Promise<void> {
    // The head is read only when unknown. Known, it may be ahead of the database (groups sent and
    // not yet answered), and a read answered after a group sealed meanwhile would move it back.
    const needHead = this.head === null;
    const needIds = this.lastId - this.nextId + 1 < n;
    const block = Math.max(n, ID_BLOCK);
    const statements: SqlStatement[] = [];
    if (needHead) statements.push({ sql: AUDIT_HEAD_SQL, params: [] });
    if (needIds)
      statements.push({
        sql: `SELECT setval('baton.audit_log_id_seq', nextval('baton.audit_log_id_seq') + $1 - 1) AS last`,
        params: [block],
      });
    const results = await this.session.send(statements, { transaction: false });
    if (needHead) {
      const row = results.shift()!.rows[0] as { seal_seq: string | number; hash: string } | undefined;
      // Nobody seals while the head is unknown, so the read is the head; unless it was forgotten
      // again meanwhile, in which case the next `prepare` reads it once more.
      this.head = row ? { seq: Number(row.seal_seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
    }
    if (needIds) {
      const last = Number((results.shift()!.rows[0] as { last: string | number }).last);
      this.nextId = last - block + 1;
      this.lastId = last;
    }
  }
}

/** One chain per embedded database, shared by every ledger on it. */
const CHAINS = new WeakMap<DataSource, InlineAuditChain>();

export function inlineAuditChainOf(dataSource: DataSource, session: EmbeddedSession): InlineAuditChain {
  let chain = CHAINS.get(dataSource);
  if (!chain) {
    chain = new InlineAuditChain(session);
    CHAINS.set(dataSource, chain);
  }
  return chain;
}

/** Entries were sealed on this database another way (an interactive transaction, the sealer): its head must be read again. */
export function forgetInlineAuditHead(dataSource: DataSource): void {
  CHAINS.get(dataSource)?.forget();
}
