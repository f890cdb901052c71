import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outbox rows carry the message as published instead of a jsonb copy of it: `value_text` for
 * UTF-8 text (every event: no parse on write, no re-serialising on read, and text is several
 * times cheaper to write than bytea on the embedded database), `value_bytes` for anything else
 * the embedded engine's bus keeps in the same table (retries of malformed input, framed values).
 * Headers go in `headers_text` as JSON text: jsonb refuses a NUL even escaped (`\u0000`), and a
 * failure reason read from malformed input may hold one. Rows written before this migration keep
 * their `payload` and `headers`.
 */
export class StoreOutboxBytes1765000200000 implements MigrationInterface {
  name = 'StoreOutboxBytes1765000200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE baton.outbox ALTER COLUMN payload DROP NOT NULL,
        ADD COLUMN value_text text, ADD COLUMN value_bytes bytea, ADD COLUMN headers_text text`,
    );
    await q.query(`ALTER TABLE baton.outbox ADD CONSTRAINT outbox_has_value CHECK (num_nonnulls(payload, value_text, value_bytes) = 1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE baton.outbox DROP CONSTRAINT outbox_has_value`);
    // What jsonb cannot hold (the bus's non-JSON messages) has no place in the older table.
    await q.query(`DELETE FROM baton.outbox WHERE value_bytes IS NOT NULL`);
    await q.query(`UPDATE baton.outbox SET payload = value_text::jsonb WHERE payload IS NULL`);
    await q.query(`UPDATE baton.outbox SET headers = headers_text::jsonb WHERE headers_text IS NOT NULL`);
    await q.query(
      `ALTER TABLE baton.outbox DROP COLUMN value_text, DROP COLUMN value_bytes, DROP COLUMN headers_text,
        ALTER COLUMN payload SET NOT NULL`,
    );
  }
}
