import { GENESIS_HASH } from './audit-chain.util';
import type { SqlStatement } from './query/sql-statement';

/** The chain's head: the place and hash of the last sealed entry (none: place 0, the genesis hash). */
export const AUDIT_HEAD_SQL = `SELECT last_seq AS seal_seq, encode(substring(hashes FROM length(hashes) - 31), 'hex') AS hash
  FROM baton.audit_seal_block ORDER BY first_seq DESC LIMIT 1`;

/** The hash of the block's `i`-th entry (from 0), as hex, from its `hashes` column (bytes as the driver gives them). */
export function blockHash(hashes: Uint8Array, i: number): string {
  return Buffer.from(hashes.buffer, hashes.byteOffset + i * 32, 32).toString('hex');
}

/** An entry linked onto the chain: its id and hash. */
export interface SealedLink {
  id: string;
  hash: string;
}

const INSERT_BLOCK = `INSERT INTO baton.audit_seal_block (first_seq, last_seq, prev_hash, audit_ids, hashes, min_id, max_id)`;

/**
 * The statement that seals `links` (in chain order) as one block after the head (`headSeq`, `headHash`): places
 * `headSeq + 1` on. `guarded`: the block is inserted only if the chain's head in the database is
 * still that one, and the statement then expects its one row (a missed expectation fails the
 * transaction with `code`); unguarded, for a writer that read the head in its own transaction,
 * under the sealers' lock, or on a database only it writes. Two blocks cannot start at the same
 * place either way (the table's key).
 */
export function sealBlockStatement(
  headSeq: number,
  headHash: string,
  links: readonly SealedLink[],
  guard?: { code: string; message: string },
): SqlStatement | null {
  const n = links.length;
  if (n === 0) return null;
  const ids = links.map((l) => l.id);
  let min = BigInt(ids[0]!);
  let max = min;
  for (const id of ids) {
    const value = BigInt(id);
    if (value < min) min = value;
    if (value > max) max = value;
  }
  const params = [headSeq + 1, headSeq + n, headHash, ids, links.map((l) => l.hash).join(''), String(min), String(max)];
  const values = `SELECT $1::bigint, $2::bigint, $3::text, $4::bigint[], decode($5::text, 'hex'), $6::bigint, $7::bigint`;
  if (!guard) return { sql: `${INSERT_BLOCK} ${values}`, params };
  return {
    sql: `${INSERT_BLOCK} ${values}
     WHERE COALESCE((SELECT last_seq = $1::bigint - 1 AND encode(substring(hashes FROM length(hashes) - 31), 'hex') = $3::text
                       FROM baton.audit_seal_block ORDER BY first_seq DESC LIMIT 1),
                    $1::bigint = 1 AND $3::text = $8::text)`,
    params: [...params, GENESIS_HASH],
    expect: { rows: 1, code: guard.code, message: guard.message },
  };
}
