import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A transition's detail is kept as `json` (its text, checked to be JSON) rather than `jsonb` (a
 * parsed binary form). Nothing indexes or searches inside it: it is read back whole for the
 * timeline, and the two readers that look inside (`->`, `->>` on the decision's suggestion and on
 * a start's source) work on `json` alike. Building the binary form was most of what a transition
 * row cost beyond its indexes: copying 600 real transition rows into the embedded database took
 * 16.0 / 14.4 µs per row as `jsonb` and 12.3 / 12.7 as `json` (two alternating runs, PGlite, the
 * session's copy of a 20,000-run database). A refund run writes six; on the embedded database's
 * one thread, that is time every commit waits for. Audit entries keep `jsonb`: the same change
 * measured no gain there (their values are small).
 *
 * The table is rewritten once (an exclusive lock for as long as that takes on a large history).
 */
export class StoreTransitionDetailAsJson1765000500000 implements MigrationInterface {
  name = 'StoreTransitionDetailAsJson1765000500000';

  async up(q: QueryRunner): Promise<void> {
    await storeDetailAs(q, 'json');
  }

  async down(q: QueryRunner): Promise<void> {
    await storeDetailAs(q, 'jsonb');
  }
}

/** Rewrites the column as `type`, its default `{}` of that type. */
async function storeDetailAs(q: QueryRunner, type: 'json' | 'jsonb'): Promise<void> {
  await q.query(
    `ALTER TABLE baton.run_transition
       ALTER COLUMN detail DROP DEFAULT,
       ALTER COLUMN detail TYPE ${type} USING detail::${type},
       ALTER COLUMN detail SET DEFAULT '{}'::${type}`,
  );
}
